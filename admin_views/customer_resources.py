"""Operator screen: customer resources (folders and files, sharing, rename, delete)."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from admin_views.base import SecureView
from portal.audit.operations import record
from portal.customers.models import ResourceFile, ResourceFolder
from portal.customers.operations import PortalError, human_size, safe_filename, store_file
from portal.infra import storage
from portal.infra.extensions import db
from portal.infra.web import field_limits
from portal.tenancy.models import Company


def all_companies():
    return db.session.scalars(select(Company).order_by(Company.name)).all()


class ResourcesView(SecureView):
    operator_only = True

    @expose("/")
    def index(self):
        folders = db.session.scalars(select(ResourceFolder).options(selectinload(ResourceFolder.files),
                                                                    selectinload(ResourceFolder.companies))
                                     .order_by(ResourceFolder.name)).all()
        loose = db.session.scalars(select(ResourceFile).where(ResourceFile.folder_id.is_(None))
                                   .order_by(ResourceFile.name)).all()
        return self.render("admin/customers/resources.html", folders=folders, loose=loose, companies=all_companies(),
                           human_size=human_size)

    def _sharing(self, obj):
        obj.shared_with_all = request.form.get("share") != "chosen"
        ids = [int(x) for x in request.form.getlist("company_ids") if x.isdigit()]
        obj.companies = [] if obj.shared_with_all else db.session.scalars(select(Company).where(Company.id.in_(ids))).all()

    @expose("/folder", methods=["POST"])
    @field_limits(name=120)
    def folder(self):
        name = request.form.get("name", "").strip()[:120]
        if not name:
            flash(_("Give the folder a name."), "error")
            return redirect(url_for(".index"))
        folder = ResourceFolder(name=name)
        self._sharing(folder)
        db.session.add(folder)
        db.session.commit()
        flash(_("Folder %(name)s created.", name=name), "success")
        return redirect(url_for(".index"))

    @expose("/upload", methods=["POST"])
    def upload(self):
        upload = request.files.get("file")
        folder_id = request.form.get("folder_id", type=int)
        if folder_id and db.session.get(ResourceFolder, folder_id) is None:
            abort(404)
        try:
            if upload is None or not upload.filename:
                raise PortalError(_l("Choose a file to upload."))
            key, kind, name = store_file(upload.read(), upload.filename)
        except PortalError as exc:
            flash(str(exc), "error")
            return redirect(url_for(".index"))
        file = ResourceFile(folder_id=folder_id or None, name=name, storage_key=key, content_type=kind,
                            size=storage.path_for(key).stat().st_size)
        self._sharing(file)
        db.session.add(file)
        db.session.commit()
        flash(_("%(name)s uploaded.", name=name), "success")
        return redirect(url_for(".index"))

    def _resource(self, kind: str, obj_id: int):
        model = {"folder": ResourceFolder, "file": ResourceFile}.get(kind) or abort(404)
        return db.session.get(model, obj_id) or abort(404)

    @expose("/<kind>/<int:obj_id>/rename", methods=["POST"])
    @field_limits(name=200)
    def rename(self, kind: str, obj_id: int):
        obj = self._resource(kind, obj_id)
        limit = 120 if kind == "folder" else 200  # the columns' lengths: refuse rather than cut a name short
        try:
            raw = request.form.get("name", "").strip()
            if len(raw) > limit:
                raise PortalError(_("At most %(n)d characters.", n=limit))
            name = safe_filename(raw)
        except PortalError as exc:
            flash(str(exc), "error")
        else:
            obj.name = name
            record("portal.resource_renamed", company_id=None, obj=obj, summary=name)
            db.session.commit()
            flash(_("Renamed to %(name)s.", name=name), "success")
        return redirect(url_for(".index"))

    @expose("/<kind>/<int:obj_id>/share", methods=["POST"])
    def share(self, kind: str, obj_id: int):
        obj = self._resource(kind, obj_id)
        self._sharing(obj)
        record("portal.resource_shared", company_id=None, obj=obj,
               summary="all" if obj.shared_with_all else ", ".join(c.name for c in obj.companies))
        db.session.commit()
        flash(_("Sharing of %(name)s saved.", name=obj.name), "success")
        return redirect(url_for(".index"))

    @expose("/<kind>/<int:obj_id>/delete", methods=["POST"])
    def delete(self, kind: str, obj_id: int):
        model = {"folder": ResourceFolder, "file": ResourceFile}.get(kind) or abort(404)
        obj = db.session.get(model, obj_id)
        if obj is None:
            abort(404)
        keys = [f.storage_key for f in obj.files] if kind == "folder" else [obj.storage_key]
        db.session.delete(obj)
        db.session.commit()
        for key in keys:
            storage.delete(key)
        flash(_("Deleted."), "success")
        return redirect(url_for(".index"))


def register_resources(admin, category) -> None:
    admin.add_view(ResourcesView(name=_l("Customer resources"), category=category, endpoint="portal_resources",
                                 url="/admin/portal/resources"))
