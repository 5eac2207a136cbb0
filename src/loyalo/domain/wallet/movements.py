"""How each money event moves the wallet.

Each function takes the member's wallet before the event and returns the
postings; none can drive the balance below zero, and each result sums to zero
across the member's accounts and a system account (``WalletEntry`` checks it).
"""

from __future__ import annotations

from dataclasses import dataclass

from loyalo.domain.errors import InsufficientWallet, InvalidInput
from loyalo.domain.money import Money
from loyalo.domain.wallet.entries import WalletAccount as W
from loyalo.domain.wallet.entries import WalletBalance, WalletPosting, wallet_postings


@dataclass(frozen=True, slots=True)
class WalletCredit:
    postings: tuple[WalletPosting, ...]
    debt_settled_minor: int
    credited_minor: int  # what reached the spendable balance


@dataclass(frozen=True, slots=True)
class WalletClawback:
    postings: tuple[WalletPosting, ...]
    from_balance_minor: int
    to_debt_minor: int  # already spent: owed, settled from the next cashback


def credit_cashback(wallet: WalletBalance, amount_minor: int) -> WalletCredit:
    """Cashback into the wallet; an outstanding money debt is settled first."""
    if amount_minor <= 0:
        raise ValueError("cashback must be positive")
    settled = min(amount_minor, -wallet.debt_minor)
    credited = amount_minor - settled
    return WalletCredit(
        wallet_postings(
            (W.CASHBACK_ISSUED, -amount_minor), (W.DEBT, settled), (W.BALANCE, credited)
        ),
        settled,
        credited,
    )


def take_back_cashback(wallet: WalletBalance, amount_minor: int) -> WalletClawback:
    """A return takes its cashback back from the balance; what was spent becomes a debt."""
    if amount_minor <= 0:
        raise ValueError("a take-back must be positive")
    from_balance = min(amount_minor, wallet.balance_minor)
    to_debt = amount_minor - from_balance
    return WalletClawback(
        wallet_postings(
            (W.CASHBACK_ISSUED, amount_minor), (W.BALANCE, -from_balance), (W.DEBT, -to_debt)
        ),
        from_balance,
        to_debt,
    )


def spend(wallet: WalletBalance, amount_minor: int, currency: str) -> tuple[WalletPosting, ...]:
    """A till is paid from the wallet: never more than the balance."""
    if amount_minor <= 0:
        raise InvalidInput("an amount to spend must be positive", field="amount")
    if amount_minor > wallet.balance_minor:
        available, requested = Money(wallet.balance_minor, currency), Money(amount_minor, currency)
        raise InsufficientWallet(
            f"{requested} {currency} requested, {available} {currency} in the wallet",
            available=str(available),
            requested=str(requested),
            currency=currency,
        )
    return wallet_postings((W.BALANCE, -amount_minor), (W.WALLET_SPENT, amount_minor))
