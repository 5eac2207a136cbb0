"""Gamification: challenge windows and progress, purchase streaks, leaderboards. Pure."""
