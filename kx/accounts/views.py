"""Account pages: register, sign in and out, profile, password, export, delete, staff admin."""

import hashlib
import json
from functools import wraps

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required

from kx import taxonomy
from kx.accounts import profiles, recovery, services, sessions
from kx.accounts.forms import (
    AddressForm,
    DeclineSectorForm,
    DeleteAccountForm,
    ForgotPasswordForm,
    LoginForm,
    PasswordForm,
    ProfileForm,
    RegistrationForm,
    ResetPasswordForm,
)
from kx.accounts.mailings import BadLink
from kx.errors import Invalid
from kx.extensions import limiter
from kx.web import apply_errors, redirect_next

accounts = Blueprint("accounts", __name__)
admin = Blueprint("admin", __name__, url_prefix="/admin")

accounts.before_app_request(sessions.enforce_idle_timeout)


def _failed(response: Response) -> bool:
    return response.status_code != 302


def _submitted_email() -> str:
    return "email:" + request.form.get("email", "").strip().lower()


def _limits(name: str):
    return lambda: current_app.config[name]


def _signed_in_user() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else get_remote_address()


# Forms that check the current password (change password, delete account) share one
# budget of wrong guesses per account, so a borrowed session cannot try passwords at will.
_password_guesses = limiter.shared_limit(
    "5 per minute;20 per hour",
    scope="account-password",
    key_func=_signed_in_user,
    methods=["POST"],
    deduct_when=lambda response: g.get("wrong_password", False),
)


def staff_required(view):
    """Moderators and admins only; others get 403 (anonymous users are sent to sign in)."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_moderator:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def verified_required(view):
    """Verified members only; an unverified account is told it awaits verification."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_verified:
            return render_template("accounts/awaiting_verification.html"), 403
        return view(*args, **kwargs)

    return wrapped


@accounts.route("/register", methods=["GET", "POST"])
@limiter.limit(_limits("REGISTER_LIMITS"), methods=["POST"], deduct_when=lambda r: not _failed(r))
@limiter.limit("30 per hour", methods=["POST"])
@limiter.limit("3 per hour", methods=["POST"], key_func=_submitted_email)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            user = services.register_user(
                email=form.email.data,
                display_name=form.display_name.data,
                password=form.password.data,
                sector=form.sector.data,
                country=form.country.data,
                organisation=form.organisation.data or "",
                bio=form.bio.data or "",
            )
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            sessions.start_session(user)
            flash(
                "Welcome to kx. A moderator will verify your account; until then you can "
                "write drafts and read public content.",
                "success",
            )
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/register.html", form=form), 422 if form.errors else 200


@accounts.route("/login", methods=["GET", "POST"])
@sessions.address_budget
@sessions.account_budget
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = sessions.authenticate(form.email.data, form.password.data)
        if user is not None:
            sessions.start_session(user, remember=form.remember.data)
            return redirect_next(url_for("home.index"))
        form.form_errors.append("The e-mail address or password is not correct.")
    status = 422 if form.errors or form.form_errors else 200
    return render_template("accounts/login.html", form=form), status


@accounts.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        sessions.end_session()
    flash("You are signed out.", "info")
    return redirect(url_for("home.index"))


@accounts.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    user = current_user._get_current_object()
    pending = profiles.pending_sector_request(user)
    form = ProfileForm(obj=user)
    if not form.is_submitted() and pending is not None:
        form.sector.data = pending.sector  # the form shows the sector the member wants
        form.sector_reason.data = pending.reason
    if form.validate_on_submit():
        try:
            pending = profiles.update_profile(
                user,
                display_name=form.display_name.data,
                organisation=form.organisation.data or "",
                bio=form.bio.data or "",
                sector=form.sector.data,
                country=form.country.data,
                sector_reason=form.sector_reason.data or "",
            )
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            flash("Your profile is saved.", "success")
            return redirect(url_for("accounts.profile"))
    elif not form.is_submitted():
        for outcome in profiles.take_sector_outcomes(user):
            _flash_sector_outcome(outcome)
    return render_template(
        "accounts/profile.html", form=form, pending=pending
    ), 422 if form.errors else 200


def _flash_sector_outcome(request) -> None:
    sector = taxonomy.label("sectors", request.sector)
    if request.status == "approved":
        flash(f"A moderator approved your sector change: your sector is now {sector}.", "success")
    else:
        flash(
            f"A moderator declined your sector change to {sector}: {request.decision_note}",
            "info",
        )


@accounts.route("/account/sector-request/withdraw", methods=["POST"])
@login_required
def withdraw_sector_request():
    profiles.withdraw_sector_request(current_user._get_current_object())
    flash("Your sector change is withdrawn; your sector stays as it was.", "info")
    return redirect(url_for("accounts.profile"))


@accounts.route("/account/password", methods=["GET", "POST"])
@login_required
@_password_guesses
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_password(user, form.current_password.data, form.new_password.data)
        except Invalid as exc:
            g.wrong_password = "current_password" in exc.fields
            apply_errors(form, exc)
        else:
            sessions.start_session(user)
            flash("Your password is changed. Every other session has been signed out.", "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/password.html", form=form), 422 if form.errors else 200


# Links sent by mail ---------------------------------------------------------------------


def _reset_address() -> str:
    """The per-address reset budget's key: a digest, the same whether or not it is known."""
    email = request.form.get("email", "").strip().lower()
    return "reset:" + hashlib.sha256(email.encode("utf-8", "surrogatepass")).hexdigest()


def _link_page(template: str, status: int = 200, **context) -> Response:
    """A page opened from a link with a token in its address: the token stays out of
    ``Referer`` headers and caches."""
    response = current_app.make_response((render_template(template, **context), status))
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _bad_link(exc: BadLink) -> Response:
    return _link_page("accounts/link_invalid.html", 410, expired=exc.expired)


@accounts.route("/reset-password", methods=["GET", "POST"])
@limiter.limit(_limits("RESET_LIMITS"), methods=["POST"])
@limiter.limit(_limits("RESET_ADDRESS_LIMITS"), methods=["POST"], key_func=_reset_address)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        # the same page whether or not an account has the address: nobody learns who does
        recovery.request_password_reset(form.email.data)
        return render_template("accounts/reset_sent.html", email=form.email.data.strip())
    return render_template("accounts/forgot_password.html", form=form), 422 if form.errors else 200


@accounts.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def reset_password(token: str):
    form = ResetPasswordForm()
    try:
        user = recovery.reset_link_user(token)
        if form.validate_on_submit():
            user = recovery.reset_password(token, form.new_password.data)
            sessions.start_session(user)
            flash("Your password is set and you are signed in. Every other session has "
                  "been signed out.", "success")  # fmt: skip
            return redirect(url_for("home.index"))
    except BadLink as exc:
        return _bad_link(exc)
    except Invalid as exc:
        apply_errors(form, exc)
    status = 422 if form.errors else 200
    return _link_page("accounts/reset_password.html", status, form=form, account=user)


@accounts.route("/confirm-address/<token>", methods=["GET", "POST"])
def confirm_address(token: str):
    try:
        if request.method == "POST":
            recovery.confirm_address(token)
            flash("Your e-mail address is confirmed. Thank you.", "success")
            return redirect(url_for("home.index"))
        recovery.confirmation_link_user(token)
    except BadLink as exc:
        return _bad_link(exc)
    return _link_page(
        "accounts/confirm_link.html",
        title="Confirm your e-mail address",
        action=url_for("accounts.confirm_address", token=token),
        button="Confirm my address",
    )


@accounts.route("/account/confirmation", methods=["POST"])
@login_required
@limiter.limit("3 per hour", key_func=_signed_in_user)
def resend_confirmation():
    recovery.resend_confirmation(current_user._get_current_object())
    flash(f"We sent a new confirmation link to {current_user.email}.", "info")
    return redirect(url_for("accounts.profile"))


@accounts.route("/account/email", methods=["GET", "POST"])
@login_required
@_password_guesses
def change_address():
    form = AddressForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            new = recovery.request_address_change(user, form.new_email.data, form.password.data)
        except Invalid as exc:
            g.wrong_password = "password" in exc.fields
            apply_errors(form, exc)
        else:
            flash(f"We sent a link to {new}. Your address changes when you follow it; "
                  "until then it stays as it is.", "info")  # fmt: skip
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/address.html", form=form), 422 if form.errors else 200


@accounts.route("/account/email/<token>", methods=["GET", "POST"])
def confirm_address_change(token: str):
    try:
        if request.method == "POST":
            user = recovery.confirm_address_change(token)
            flash(f"Your e-mail address is now {user.email}.", "success")
            return redirect(url_for("home.index"))
        _user, new = recovery.change_link(token)
    except BadLink as exc:
        return _bad_link(exc)
    except Invalid as exc:
        flash(exc.message, "error")
        return redirect(url_for("home.index"))
    return _link_page(
        "accounts/confirm_link.html",
        title=f"Use {new} for your account",
        action=url_for("accounts.confirm_address_change", token=token),
        button="Use this address for my account",
    )


@accounts.route("/account/logout-everywhere", methods=["POST"])
@login_required
def logout_everywhere():
    sessions.end_every_session(current_user._get_current_object())
    flash("You are signed out on every device, and your API tokens are revoked.", "info")
    return redirect(url_for("accounts.login"))


@accounts.route("/account/export")
@login_required
def export():
    data = services.export_user_data(current_user)
    return Response(
        json.dumps(data, indent=2, ensure_ascii=False),
        mimetype="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="kx-my-data.json"',
            "Cache-Control": "no-store",  # personal data: keep it out of shared caches
        },
    )


@accounts.route("/account/delete", methods=["GET", "POST"])
@login_required
@_password_guesses
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.delete_account(user, form.password.data)
        except Invalid as exc:
            g.wrong_password = "password" in exc.fields
            apply_errors(form, exc)
        else:
            sessions.end_every_session(user)
            flash("Your account is deleted and your personal data erased.", "info")
            return redirect(url_for("home.index"))
    return render_template("accounts/delete.html", form=form), 422 if form.errors else 200


@accounts.route("/members")
@verified_required
def members():
    return render_template("accounts/members.html", members=services.verified_members())


@accounts.route("/members/<int:user_id>")
@verified_required
def member(user_id: int):
    user = services.get_user(user_id)
    if not user.is_verified:
        abort(404)
    return render_template("accounts/member.html", member=user)


# Staff administration


def _verification_page(decline_forms=None, status=200):
    requests = profiles.pending_sector_requests()
    decline_forms = decline_forms or {}
    for request_ in requests:
        decline_forms.setdefault(
            request_.id, DeclineSectorForm(prefix=f"decline-{request_.id}", formdata=None)
        )
    return render_template(
        "accounts/verification.html",
        users=services.unverified_users(),
        sector_requests=requests,
        decline_forms=decline_forms,
    ), status


@admin.route("/verification")
@staff_required
def verification():
    return _verification_page()


@admin.route("/users/<int:user_id>/verify", methods=["POST"])
@staff_required
def verify(user_id: int):
    services.verify_user(
        current_user, services.get_user(user_id), seen_sector=request.form.get("sector")
    )
    flash("The account is verified.", "success")
    return redirect(url_for("admin.verification"))


@admin.route("/sector-requests/<int:request_id>/approve", methods=["POST"])
@staff_required
def approve_sector(request_id: int):
    profiles.decide_sector_request(current_user, profiles.get_sector_request(request_id), "approve")
    flash("The sector is changed; the member is signed out everywhere.", "success")
    return redirect(url_for("admin.verification"))


@admin.route("/sector-requests/<int:request_id>/decline", methods=["POST"])
@staff_required
def decline_sector(request_id: int):
    sector_request = profiles.get_sector_request(request_id)
    form = DeclineSectorForm(prefix=f"decline-{request_id}")
    if form.validate_on_submit():
        try:
            profiles.decide_sector_request(
                current_user, sector_request, "decline", form.note.data or ""
            )
        except Invalid as exc:
            if not exc.fields:  # decided or withdrawn meanwhile: its row has gone
                flash(exc.message, "error")
                return redirect(url_for("admin.verification"))
            apply_errors(form, exc)
        else:
            flash("The sector change is declined; the member will be told why.", "info")
            return redirect(url_for("admin.verification"))
    return _verification_page({request_id: form}, 422)


@admin.route("/users")
@staff_required
def users():
    return render_template("accounts/users.html", users=services.all_users())


@admin.route("/users/<int:user_id>/role", methods=["POST"])
@staff_required
def change_role(user_id: int):
    role = request.form.get("role", "")
    services.change_role(current_user, services.get_user(user_id), role)
    flash("The role is changed.", "success")
    return redirect(url_for("admin.users"))


@admin.route("/users/<int:user_id>/active", methods=["POST"])
@staff_required
def set_active(user_id: int):
    activate = request.form.get("active") == "1"
    services.set_active(current_user, services.get_user(user_id), activate)
    flash("The account is reactivated." if activate else "The account is deactivated.", "info")
    return redirect(url_for("admin.users"))


@admin.route("/audit")
@staff_required
def audit():
    return render_template("accounts/audit.html", events=services.audit_events())
