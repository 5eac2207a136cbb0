"""The programme document: what a marketer writes, validated field by field.

The document is a value object of the domain. It is described with Pydantic
models because they give validation with located errors and a JSON Schema for
free; nothing here does I/O. Reading YAML or JSON files is the adapters' job.
"""

from loyalo.domain.programme.document.effects import Effect
from loyalo.domain.programme.document.expiry import ExpiryPolicy
from loyalo.domain.programme.document.programme import ProgrammeDocument
from loyalo.domain.programme.document.rules import Rule
from loyalo.domain.programme.document.tiers import Tier, TierPolicy

__all__ = ["Effect", "ExpiryPolicy", "ProgrammeDocument", "Rule", "Tier", "TierPolicy"]
