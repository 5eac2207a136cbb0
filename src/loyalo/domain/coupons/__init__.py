"""Coupons and what they give: the benefit a reward or promo code grants at the till."""

# The programme document's rewards catalogue holds benefits, and benefits build on the
# document's base types: loading the document first, whole, keeps that cycle from
# catching ``benefits`` half-initialised when a coupon module is the first one imported.
import loyalo.domain.programme.document  # noqa: F401
