"""Company > API keys: the company admin makes keys for the company's own systems, sees when each was
last used, and revokes them. A new key is shown once, right after it is made."""
from __future__ import annotations

from flask import flash, redirect, session, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_login import current_user

from admin_views.base import TenantView
from portal.infra.extensions import db
from portal.security.api_key_forms import ApiKeyForm
from portal.security.api_keys import ApiKeyError, create_api_key, revoke_api_key
from portal.security.models import ApiKey, ApiScope

_SHOW_ONCE = "api_key_shown_once"


class ApiKeysView(TenantView):
    capability = "settings"

    @expose("/", methods=["GET", "POST"])
    def index(self):
        form = ApiKeyForm()
        if form.validate_on_submit():
            try:
                key, secret = create_api_key(self.company, current_user, name=form.name.data,
                                             scopes=form.scopes.data, expires_on=form.expires_on.data)
            except ApiKeyError as exc:
                db.session.rollback()
                form.name.errors = [str(exc)]
            else:
                db.session.commit()
                session[_SHOW_ONCE] = {"id": key.id, "secret": secret}  # shown on the next page, then gone
                return redirect(url_for(".index"))
        shown = session.pop(_SHOW_ONCE, None)
        keys = list(db.session.scalars(self.owned(ApiKey).order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc())))
        return self.render("admin/company/api_keys.html", form=form, keys=keys, shown=shown,
                           scope_label=ApiScope.label_of, docs_url=url_for("api_docs.docs"))

    @expose("/<int:key_id>/revoke", methods=["POST"])
    def revoke(self, key_id: int):
        key = self.get_owned(ApiKey, key_id)
        if revoke_api_key(key, current_user):
            db.session.commit()
            flash(_("The key \"%(name)s\" is revoked: systems using it are refused from now on.", name=key.name), "success")
        else:
            flash(_("The key was revoked already."), "info")
        return redirect(url_for(".index"))
