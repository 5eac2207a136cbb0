"""Wallet passes over HTTP: the Google Wallet documents and the save link."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from loyalo.application.passes.service import GooglePass

PKPASS_MEDIA_TYPE = "application/vnd.apple.pkpass"


class GooglePassOut(BaseModel):
    loyalty_class: dict[str, Any] = Field(
        description="The programme's loyaltyClass (Google Wallet API); in the JWT only when "
        "a programme logo is configured, else it must already exist at Google"
    )
    loyalty_object: dict[str, Any] = Field(description="The member's loyaltyObject")
    jwt: str = Field(description="The signed 'save to Google Wallet' JWT (RS256)")
    save_url: str = Field(
        description="The link to open on the phone",
        examples=["https://pay.google.com/gp/v/save/eyJ…"],
    )

    @classmethod
    def of(cls, found: GooglePass) -> GooglePassOut:
        return cls(
            loyalty_class=found.loyalty_class,
            loyalty_object=found.loyalty_object,
            jwt=found.jwt,
            save_url=found.save_url,
        )
