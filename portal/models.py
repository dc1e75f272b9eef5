"""Imports every model so SQLAlchemy's metadata (and Alembic) sees the whole schema."""
from portal.audit.models import AuditEvent
from portal.cards.models import Card, CardChange, CardStatusEvent
from portal.catalog.models import Accessory, CardTemplate, CardType, LayoutField
from portal.collection.models import CollectionRequest, ImportBatch
from portal.customers.models import (
    AccessRight,
    CustomerRequest,
    PortalAccount,
    PortalSettings,
    ResourceFile,
    ResourceFolder,
)
from portal.mail import OutboxEmail
from portal.ordering.models import Address, CartItem, Invoice, Order, OrderCounter, OrderLine
from portal.printing.models import Printer, PrintJob
from portal.security.models import RecoveryCode, SignedInSession, TwoFactor
from portal.tenancy.models import Company, LoginAttempt, Membership, User

__all__ = [
    "AccessRight", "Accessory", "Address", "AuditEvent", "Card", "CardChange", "CardStatusEvent",
    "CardTemplate", "CardType", "CartItem", "CollectionRequest", "Company", "CustomerRequest",
    "ImportBatch", "Invoice", "LayoutField", "LoginAttempt", "Membership", "Order", "OrderCounter",
    "OrderLine", "OutboxEmail", "PortalAccount", "PortalSettings", "PrintJob", "Printer",
    "RecoveryCode", "ResourceFile", "ResourceFolder", "SignedInSession", "TwoFactor", "User",
]
