"""Challenges, badges, streaks and leaderboards at work."""
