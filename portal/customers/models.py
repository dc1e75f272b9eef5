"""The customer portal: settings, access-right profiles, accounts, resources and requests."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.infra import storage
from portal.infra.db_types import JsonType, StrEnum, utcnow
from portal.infra.extensions import db
from portal.tenancy.models import Company

PORTAL_SECTIONS = {
    "overview": _l("Overview"),
    "jobs": _l("Jobs"),
    "invoices": _l("Invoices"),
    "resources": _l("Customer resources"),
    "requests": _l("Requests"),
    "notes": _l("Notes on jobs"),
}


class PortalSettings(db.Model):
    """One row: the operator's settings for the whole customer portal."""

    __tablename__ = "portal_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    logo_key: Mapped[str | None] = mapped_column(String(200))
    sections: Mapped[list] = mapped_column(JsonType, default=lambda: list(PORTAL_SECTIONS))


class AccessRight(db.Model):
    __tablename__ = "access_right"
    __audit_company__ = None  # shared by every company's portal accounts: the operator's log
    __audited__ = frozenset({"name", "can_view_jobs", "can_view_invoices", "can_view_resources", "can_make_requests",
                             "can_view_notes"})

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    can_view_jobs: Mapped[bool] = mapped_column(Boolean, default=False)
    can_view_invoices: Mapped[bool] = mapped_column(Boolean, default=False)
    can_view_resources: Mapped[bool] = mapped_column(Boolean, default=False)
    can_make_requests: Mapped[bool] = mapped_column(Boolean, default=False)
    can_view_notes: Mapped[bool] = mapped_column(Boolean, default=False)

    def __str__(self) -> str:
        return self.name


class PortalAccount(db.Model):
    __tablename__ = "portal_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    access_right_id: Mapped[int | None] = mapped_column(ForeignKey("access_right.id", ondelete="RESTRICT"))
    # Stored lower-case: usernames are unique case-insensitively.
    username: Mapped[str] = mapped_column(String(80), unique=True)
    email: Mapped[str] = mapped_column(String(254), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    set_password_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    set_password_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The account's own choice from the portal's language menu; empty: the company's language.
    language: Mapped[str | None] = mapped_column(String(5))

    company: Mapped[Company] = relationship()
    access_right: Mapped[AccessRight | None] = relationship()

    def __str__(self) -> str:
        return self.username

    @property
    def reads(self) -> str:
        """The language of this account's pages and emails: its own choice, else its company's."""
        return self.language or self.company.language or "en"


resource_folder_company = Table(
    "resource_folder_company",
    db.metadata,
    Column("folder_id", ForeignKey("resource_folder.id", ondelete="CASCADE"), primary_key=True),
    Column("company_id", ForeignKey("company.id", ondelete="CASCADE"), primary_key=True),
)

resource_file_company = Table(
    "resource_file_company",
    db.metadata,
    Column("file_id", ForeignKey("resource_file.id", ondelete="CASCADE"), primary_key=True),
    Column("company_id", ForeignKey("company.id", ondelete="CASCADE"), primary_key=True),
)


class ResourceFolder(db.Model):
    __tablename__ = "resource_folder"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    shared_with_all: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    companies: Mapped[list[Company]] = relationship(secondary=resource_folder_company)
    files: Mapped[list[ResourceFile]] = relationship(back_populates="folder", cascade="all, delete-orphan")

    def __str__(self) -> str:
        return self.name


class ResourceFile(db.Model):
    __tablename__ = "resource_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    folder_id: Mapped[int | None] = mapped_column(ForeignKey("resource_folder.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    storage_key: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer, default=0)
    content_type: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    shared_with_all: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    folder: Mapped[ResourceFolder | None] = relationship(back_populates="files")
    companies: Mapped[list[Company]] = relationship(secondary=resource_file_company)

    def __str__(self) -> str:
        return self.name


class CustomerRequestStatus(StrEnum):
    NEW = "new", _l("New"), "primary"
    IN_PROGRESS = "in_progress", _l("In progress"), "warning"
    DONE = "done", _l("Done"), "success"


class CustomerRequest(db.Model):
    __tablename__ = "customer_request"
    __audited__ = frozenset({"status", "reply"})

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("portal_account.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    attachment_key: Mapped[str | None] = mapped_column(String(200))
    attachment_name: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default=CustomerRequestStatus.NEW.value)
    reply: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    replied_at: Mapped[datetime | None] = mapped_column(DateTime)

    company: Mapped[Company] = relationship()
    account: Mapped[PortalAccount | None] = relationship()


storage.holds_keys(PortalSettings.logo_key, ResourceFile.storage_key, CustomerRequest.attachment_key)  # their files stay while these refer to them
