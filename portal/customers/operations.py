"""The customer portal's rules: settings, permissions, accounts and passwords, resources, requests."""
from __future__ import annotations

import io
import re
import secrets
import zipfile
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from portal.audit.operations import record
from portal.customers.file_checks import FileRejected, checked_file
from portal.customers.models import (
    PORTAL_SECTIONS,
    AccessRight,
    CustomerRequest,
    PortalAccount,
    PortalSettings,
    ResourceFile,
    ResourceFolder,
    resource_file_company,
    resource_folder_company,
)
from portal.infra import storage
from portal.infra.db_types import utcnow
from portal.infra.extensions import db
from portal.infra.tokens import hash_matches, hash_token, new_token
from portal.outbox.mail import queue_email
from portal.security.passwords import (
    MIN_CUSTOMER_LENGTH,
    PasswordError,
    check_new_password,
    hash_password,
    spend_verify_time,
    verify_password,
)
from portal.tenancy.models import Company, User

MIN_LENGTH = MIN_CUSTOMER_LENGTH
SET_PASSWORD_VALID = timedelta(days=7)
MAX_FILE = 20 * 1024 * 1024
PERMISSION_OF = {"jobs": "can_view_jobs", "invoices": "can_view_invoices", "resources": "can_view_resources",
                 "requests": "can_make_requests", "notes": "can_view_notes"}
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,79}$")


class PortalError(ValueError):
    pass


def portal_settings() -> PortalSettings:
    settings = db.session.scalar(select(PortalSettings).limit(1))
    if settings is None:
        settings = PortalSettings(enabled=False, sections=list(PORTAL_SECTIONS))
        db.session.add(settings)
        db.session.flush()
    return settings


def may_see(account: PortalAccount, section: str, settings: PortalSettings | None = None) -> bool:
    """A section shows only when the portal has it ticked AND the account's access right allows it."""
    settings = settings or portal_settings()
    if not settings.enabled or section not in (settings.sections or []) or account.access_right is None:
        return False
    if section == "overview":
        return True
    return bool(getattr(account.access_right, PERMISSION_OF[section]))


def check_password(password: str, account: PortalAccount | None = None) -> None:
    """At least 8 characters and not common or guessable (zxcvbn), nor built from the account's names."""
    inputs = []
    if account is not None:
        company = account.company or (db.session.get(Company, account.company_id) if account.company_id else None)
        inputs = [account.username or "", account.email or "", company.name if company else ""]
    try:
        check_new_password(password, min_length=MIN_LENGTH, user_inputs=inputs)
    except PasswordError as exc:
        raise PortalError(str(exc)) from exc


def generate_password() -> str:
    return secrets.token_urlsafe(12)  # 16 characters, 96 bits


def set_account_password(account: PortalAccount, password: str) -> None:
    check_password(password, account)
    account.password_hash = hash_password(password)
    account.session_version = (account.session_version or 1) + 1
    account.set_password_token_hash = None


def set_account_language(account: PortalAccount, language: str) -> None:
    """The account's own language for its pages and emails (the portal's language menu)."""
    account.language = language


def save_account(account: PortalAccount, *, username: str, password: str = "", generate: bool = False) -> str | None:
    """Validate the username (unique, case-insensitive) and set a password; returns a generated one."""
    username = (username or "").strip().lower()
    if not _USERNAME.match(username):
        raise PortalError(_l("Use 3 to 80 letters, digits and . _ @ - for the username."))
    clash = db.session.scalar(select(PortalAccount.id).where(PortalAccount.username == username,
                                                             PortalAccount.id != (account.id or -1)))
    if clash:
        raise PortalError(_l("The username %(name)s is taken.", name=username))
    account.username = username
    generated = generate_password() if generate else None
    if generated or password:
        set_account_password(account, generated or password)
    return generated


def email_login_details(account: PortalAccount) -> None:
    """The portal link, the username and a one-time link to set a password (never a password)."""
    if not account.email:
        raise PortalError(_l("Add an email address to the account first."))
    token, account.set_password_token_hash = new_token()
    account.set_password_expires_at = utcnow() + SET_PASSWORD_VALID
    company = account.company
    queue_email(account.email, "portal_login_details", account.reads, company_id=company.id, company=company,
                account=account, token=token)
    record("portal.login_details_sent", company_id=company.id, obj=account, summary=account.username)


def account_for_token(token: str) -> PortalAccount | None:
    account = db.session.scalar(select(PortalAccount).where(PortalAccount.set_password_token_hash == hash_token(token)))
    if account is None or not hash_matches(account.set_password_token_hash, token):
        return None
    if not account.set_password_expires_at or account.set_password_expires_at < utcnow():
        return None
    return account


def authenticate(username: str, password: str) -> PortalAccount | None:
    account = db.session.scalar(select(PortalAccount).where(PortalAccount.username == (username or "").strip().lower()))
    if account is None or not account.password_hash or not account.active:
        spend_verify_time(password)  # same time either way: the answer does not reveal which usernames exist
        return None
    if not verify_password(account.password_hash, password):
        return None
    account.last_login_at = utcnow()
    return account


def forgot_password(name_or_email: str) -> None:
    value = (name_or_email or "").strip().lower()
    account = db.session.scalar(select(PortalAccount).where(
        or_(PortalAccount.username == value, PortalAccount.email == value)).limit(1))
    if account is not None and account.email and account.active:
        email_login_details(account)


# Resources ---------------------------------------------------------------------------------------

def sniff_type(data: bytes) -> str | None:
    """The content type judged from the bytes, for the kinds we accept; None for anything else."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names:
            if any(n.startswith("word/") for n in names):
                return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            if any(n.startswith("xl/") for n in names):
                return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return None
    if b"\x00" not in data[:4096]:
        try:
            data[:65536].decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "text/plain"
    return None


def safe_filename(name: str) -> str:
    base = (name or "").replace("\\", "/").split("/")[-1].strip()
    if not base or base in (".", "..") or base.startswith(".") or ".." in (name or ""):
        raise PortalError(_l("Choose a file with a plain name (no folders or '..')."))
    return re.sub(r"[^\w .()-]", "_", base)[:200]


def human_size(size: int) -> str:
    """A file size for people, in their language: 125 bytes, 3,4 kB, 1,2 MB."""
    from flask_babel import format_decimal, ngettext

    if size < 1024:
        return ngettext("%(num)d byte", "%(num)d bytes", size)
    if size < 1024 * 1024:
        return str(_l("%(n)s kB", n=format_decimal(round(size / 1024, 1))))
    return str(_l("%(n)s MB", n=format_decimal(round(size / 1024 / 1024, 1))))


def store_file(data: bytes, filename: str) -> tuple[str, str, str]:
    if not data:
        raise PortalError(_l("The file is empty."))
    if len(data) > MAX_FILE:
        raise PortalError(_l("The file is too large (max %(mb)s MB).", mb=MAX_FILE // 1024 // 1024))
    kind = sniff_type(data)
    if kind is None:
        raise PortalError(_l("Upload PDF, Word, Excel, PNG, JPEG or text files only."))
    name = safe_filename(filename)
    try:
        data = checked_file(data, name, kind, MAX_FILE)
    except FileRejected as exc:
        raise PortalError(str(exc)) from None
    return storage.save(data, "resources", "bin"), kind, name


def visible_files(company: Company) -> tuple[list[ResourceFolder], list[ResourceFile]]:
    """Folders and loose files shared with everyone or with this company."""
    folders = db.session.scalars(select(ResourceFolder).where(or_(
        ResourceFolder.shared_with_all.is_(True),
        ResourceFolder.id.in_(select(resource_folder_company.c.folder_id)
                              .where(resource_folder_company.c.company_id == company.id)),
    )).order_by(ResourceFolder.name)).all()
    loose = db.session.scalars(select(ResourceFile).where(ResourceFile.folder_id.is_(None), or_(
        ResourceFile.shared_with_all.is_(True),
        ResourceFile.id.in_(select(resource_file_company.c.file_id).where(resource_file_company.c.company_id == company.id)),
    )).order_by(ResourceFile.name)).all()
    return list(folders), list(loose)


def file_visible_to(file: ResourceFile, company: Company) -> bool:
    if file.folder is not None:
        folder_ok = file.folder.shared_with_all or company in file.folder.companies
        return folder_ok and (file.shared_with_all or company in file.companies)
    return file.shared_with_all or company in file.companies


def new_customer_request(account: PortalAccount, subject: str, notes: str, attachment: bytes | None,
                         filename: str = "") -> CustomerRequest:
    """Store the customer's request (its line breaks kept) and email every operator about it."""
    subject = " ".join((subject or "").split())[:200]  # one line: it becomes an email subject
    notes = (notes or "").replace("\r\n", "\n").replace("\r", "\n").strip()[:10000]
    if not subject and not notes:
        raise PortalError(_l("Write what the request is about."))
    req = CustomerRequest(company_id=account.company_id, account_id=account.id, subject=subject, notes=notes)
    if attachment is not None:  # an empty file is refused by store_file, never silently dropped
        req.attachment_key, _kind, req.attachment_name = store_file(attachment, filename)
    db.session.add(req)
    db.session.flush()
    company = account.company or db.session.get(Company, account.company_id)
    operators = db.session.scalars(select(User).where(User.is_operator.is_(True), User.active.is_(True))).all()
    for operator in operators:
        queue_email(operator.email, "customer_request_new", operator.language or company.language,
                    company_id=company.id, company=company, request=req, account=account)
    record("portal.request_created", company_id=account.company_id, obj=req, summary=req.subject)
    return req


def answer_customer_request(req: CustomerRequest, previous_reply: str | None) -> bool:
    """After the operator saved the request: a new or changed answer is dated and emailed to the customer
    who sent it. Returns whether an email was queued."""
    reply = (req.reply or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    req.reply = reply
    if not reply or reply == (previous_reply or "").replace("\r\n", "\n").strip():
        return False
    req.replied_at = utcnow()
    account = req.account
    if account is None or not account.email:
        return False
    company = req.company or db.session.get(Company, req.company_id)
    queue_email(account.email, "customer_request_answered", account.reads, company_id=company.id,
                company=company, request=req, account=account)
    return True


def access_right_in_use(right: AccessRight) -> bool:
    return bool(db.session.scalar(select(PortalAccount.id).where(PortalAccount.access_right_id == right.id).limit(1)))
