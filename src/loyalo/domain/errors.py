"""Domain errors: each names a business refusal with a stable slug.

The HTTP edge maps the *kind* of an error to a status code and the slug to the
RFC 9457 ``type``; the core never knows about HTTP.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any, ClassVar


class ErrorKind(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    REFUSED = "refused"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"


class DomainError(Exception):
    """Base of every business error. ``slug`` is stable: clients may match on it."""

    slug: ClassVar[str] = "domain-error"
    kind: ClassVar[ErrorKind] = ErrorKind.REFUSED
    title: ClassVar[str] = "The request was refused"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class InvalidInput(DomainError):
    slug = "invalid-input"
    kind = ErrorKind.INVALID
    title = "The input is not valid"


class InvalidIdentifier(InvalidInput):
    slug = "invalid-identifier"
    title = "The member identifier is not valid"


class CurrencyMismatch(InvalidInput):
    slug = "currency-mismatch"
    title = "The currency does not match the programme"


class TotalMismatch(InvalidInput):
    slug = "total-mismatch"
    title = "The total does not equal the sum of the lines"


class NotFound(DomainError):
    slug = "not-found"
    kind = ErrorKind.NOT_FOUND
    title = "Not found"


class MemberNotFound(NotFound):
    slug = "member-not-found"
    title = "Unknown member"


class PurchaseNotFound(NotFound):
    slug = "purchase-not-found"
    title = "Unknown purchase"


class ReservationNotFound(NotFound):
    slug = "reservation-not-found"
    title = "Unknown reservation"


class Conflict(DomainError):
    slug = "conflict"
    kind = ErrorKind.CONFLICT
    title = "Conflict"


class DuplicateIdentifier(Conflict):
    slug = "duplicate-identifier"
    title = "Another member already has this identifier"


class ReceiptConflict(Conflict):
    slug = "receipt-conflict"
    title = "This receipt id was already recorded with different content"


class IdempotencyKeyReused(Conflict):
    slug = "idempotency-key-reused"
    title = "The Idempotency-Key was already used for a different request"


class RequestInProgress(Conflict):
    slug = "request-in-progress"
    title = "A request with this Idempotency-Key is still being processed"


class HoldAlreadyResolved(Conflict):
    slug = "reservation-already-resolved"
    title = "The reservation was already committed, released or expired"


class InsufficientPoints(DomainError):
    slug = "insufficient-points"
    kind = ErrorKind.REFUSED
    title = "Not enough available points"


class ReturnExceedsPurchase(DomainError):
    slug = "return-exceeds-purchase"
    kind = ErrorKind.REFUSED
    title = "The return takes back more than was bought"


class CommitExceedsHold(DomainError):
    slug = "commit-exceeds-reservation"
    kind = ErrorKind.REFUSED
    title = "The commit is larger than the reservation"


class Unauthenticated(DomainError):
    slug = "unauthenticated"
    kind = ErrorKind.UNAUTHENTICATED
    title = "Missing or invalid credentials"


class Forbidden(DomainError):
    slug = "forbidden"
    kind = ErrorKind.FORBIDDEN
    title = "Not allowed for this caller"


class EventConflict(DomainError):
    slug = "event-conflict"
    kind = ErrorKind.CONFLICT
    title = "The event key was already used for a different event"


class ExpressionError(InvalidInput):
    """A rule condition that does not compile; ``position`` is a 0-based offset into ``source``."""

    slug = "invalid-expression"
    title = "The expression is not valid"

    def __init__(self, detail: str, *, source: str, position: int) -> None:
        super().__init__(detail, source=source, position=position)
        self.source = source
        self.position = position


class ProgrammeVersionNotFound(DomainError):
    slug = "programme-version-not-found"
    kind = ErrorKind.NOT_FOUND
    title = "No such programme version"


@dataclass(frozen=True, slots=True)
class ProgrammeError:
    """One error in a programme document: the field, what is wrong, where in the file."""

    path: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = f"{self.line}:{self.column} " if self.line is not None else ""
        return f"{where}{self.path or '(document)'}: {self.message}"


class InvalidProgramme(DomainError):
    slug = "invalid-programme"
    kind = ErrorKind.INVALID
    title = "The programme document is not valid"

    def __init__(self, detail: str, *, errors: list[ProgrammeError]) -> None:
        super().__init__(detail, errors=[asdict(error) for error in errors])
        self.errors = errors


class ProgrammeVersionConflict(Conflict):
    slug = "programme-version-conflict"
    title = "Another programme version was applied at the same moment"


class ImportConflict(Conflict):
    slug = "import-conflict"
    title = "Another import of the same file moved on at the same moment"


class InvalidHistory(InvalidInput):
    slug = "invalid-history"
    title = "The history file cannot be imported"


class InsufficientWallet(DomainError):
    slug = "insufficient-wallet"
    kind = ErrorKind.REFUSED
    title = "Not enough money in the wallet"


class PassesNotConfigured(DomainError):
    """This server has no certificate or key for that wallet: its operator must configure one."""

    slug = "passes-not-configured"
    kind = ErrorKind.REFUSED
    title = "Wallet passes are not configured"


class GiftCardNotFound(NotFound):
    slug = "gift-card-not-found"
    title = "Unknown gift card"


class GiftCardPinInvalid(Forbidden):
    """The card has a PIN and it was not given, or not the right one."""

    slug = "gift-card-pin-invalid"
    title = "The gift card PIN is missing or wrong"


class GiftCardVoid(DomainError):
    slug = "gift-card-void"
    kind = ErrorKind.REFUSED
    title = "The gift card is void"


class GiftCardExpired(DomainError):
    slug = "gift-card-expired"
    kind = ErrorKind.REFUSED
    title = "The gift card has expired"


class GiftCardInsufficientBalance(DomainError):
    """The card holds less than asked, or less than the amount the till was quoted."""

    slug = "insufficient-gift-card-balance"
    kind = ErrorKind.REFUSED
    title = "Not enough money on the gift card"


class MembershipPlanNotFound(NotFound):
    """The programme in force has no membership plan with this id."""

    slug = "membership-plan-not-found"
    title = "Unknown membership plan"


class MembershipNotFound(NotFound):
    """The member never held this membership plan."""

    slug = "membership-not-found"
    title = "The member has no such membership"


class MembershipNotActive(Conflict):
    """Only an active membership can be cancelled (a lapsed or cancelled one cannot)."""

    slug = "membership-not-active"
    title = "The membership is not active"


class MembershipConflict(Conflict):
    """A member holds one plan at a time: another plan still gives its benefits."""

    slug = "membership-conflict"
    title = "Another membership plan is active"


class PaymentReferenceConflict(Conflict):
    """A payment reference records one payment: it was recorded with other content."""

    slug = "payment-reference-conflict"
    title = "This payment reference was already recorded for another payment"


class MembershipFeeMismatch(InvalidInput):
    """The amount paid must be the plan's fee for one period, in the programme currency."""

    slug = "membership-fee-mismatch"
    title = "The amount paid is not the plan's fee"


class PartnerNotFound(NotFound):
    slug = "partner-not-found"
    title = "Unknown partner"


class PartnerExists(Conflict):
    slug = "partner-exists"
    title = "A partner with this id already exists"


class PartnerSuspended(DomainError):
    """A suspended partner's tills can neither earn nor spend points; its reports stay readable."""

    slug = "partner-suspended"
    kind = ErrorKind.REFUSED
    title = "The partner is suspended"


class PartnerRatesConflict(Conflict):
    slug = "partner-rates-conflict"
    title = "Rates that may already have priced a transaction cannot be replaced"


class ChallengeNotFound(NotFound):
    """No challenge with this id in the programme in force."""

    slug = "challenge-not-found"
    title = "No such challenge"


class InvalidNickname(InvalidInput):
    """A leaderboard nickname: 2 to 24 letters, digits, spaces, '.', '-' or '_'."""

    slug = "invalid-nickname"
    title = "The nickname is not valid"


class SelfReferral(DomainError):
    """A member cannot refer themself: the friend has the advocate's e-mail, phone or card.

    Nothing is written: the enrolment is refused as a whole.
    """

    slug = "self-referral"
    title = "A member cannot refer themself"


class UnknownReferralCode(NotFound):
    """No member has this referral code. At enrolment the member is enrolled anyway and the
    response's ``referral`` reports this problem."""

    slug = "unknown-referral-code"
    title = "Unknown referral code"


class InvalidCouponPattern(InvalidInput):
    slug = "invalid-coupon-pattern"
    title = "The coupon code pattern is not valid"


class GuessableCouponCodes(InvalidInput):
    slug = "guessable-coupon-codes"
    title = "The pattern leaves too few random characters for these codes"


class CouponNotFound(NotFound):
    slug = "coupon-not-found"
    title = "Unknown coupon code"


class CouponCodeTaken(Conflict):
    slug = "coupon-code-taken"
    title = "Another coupon already has this code"


class CouponNotApplicable(DomainError):
    """A code sent with a purchase that does not apply; ``reason`` is a stable slug."""

    slug = "coupon-not-applicable"
    kind = ErrorKind.REFUSED
    title = "A coupon code does not apply to this purchase"


class CouponNotCancellable(Conflict):
    slug = "coupon-not-cancellable"
    title = "The coupon was already used up"


class RewardNotFound(NotFound):
    slug = "reward-not-found"
    title = "No such reward in the catalogue"


class RedemptionNotFound(NotFound):
    slug = "redemption-not-found"
    title = "Unknown redemption"


class CauseNotFound(NotFound):
    slug = "cause-not-found"
    title = "No catalogue reward donates to this cause, and nobody has"


class RewardNotRedeemable(DomainError):
    """The member may not redeem this reward now; ``reasons`` lists every reason, each with a
    stable ``reason`` slug (not-enough-points, tier, flag, channel, not-yet-available, ended,
    out-of-stock, member-limit, period-limit)."""

    slug = "reward-not-redeemable"
    kind = ErrorKind.REFUSED
    title = "The reward cannot be redeemed"


class RedemptionNotCancellable(Conflict):
    """Only an active redemption whose coupon is still unused can be cancelled; a donation or
    wallet money is settled at once and stays."""

    slug = "redemption-not-cancellable"
    title = "The redemption cannot be cancelled"


class InvalidAnalyticsQuery(InvalidInput):
    """An analytics period runs backwards or is too long, or a filter value holds characters
    other than letters, digits, spaces and ``_ . : @ -``."""

    slug = "invalid-analytics-query"
    title = "The analytics period or filter is not valid"
