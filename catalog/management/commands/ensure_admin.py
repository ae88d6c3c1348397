"""Make sure an admin account exists: ``ensure_admin [--url URL]`` (used by ``make demo``)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser

ADMIN_USERNAME = "admin"


@dataclass
class AdminAccount:
    username: str
    created: bool
    password: str | None  # None when unknown (an account someone else made, or a changed password)


def admin_ensure(*, password_file: Path) -> AdminAccount:
    """Create superuser ``admin`` with a generated password when there is no superuser; idempotent.

    The generated password is kept in ``password_file`` (mode 0600) so a rerun can show it again,
    as long as it still is the account's password.
    """
    users = get_user_model().objects
    if not users.filter(is_superuser=True).exists():
        password = secrets.token_urlsafe(12)
        users.create_superuser(ADMIN_USERNAME, email="", password=password)
        password_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            os.fchmod(out.fileno(), 0o600)  # also when the file already existed with wider permissions
            out.write(password + "\n")
        return AdminAccount(ADMIN_USERNAME, created=True, password=password)
    admin = users.filter(username=ADMIN_USERNAME, is_superuser=True).first()
    if admin is not None and password_file.exists():
        saved = password_file.read_text().strip()
        if admin.check_password(saved):
            return AdminAccount(ADMIN_USERNAME, created=False, password=saved)
    name = admin.username if admin else users.filter(is_superuser=True).order_by("pk").first().username
    return AdminAccount(name, created=False, password=None)


class Command(BaseCommand):
    help = "Create the superuser 'admin' with a generated password if there is no superuser; print how to log in."
    # The system checks import every URLconf and view (matplotlib, scikit-learn): seconds a data command
    # does not need; `manage.py check` and runserver still run them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000/admin/", help="the admin URL to print")

    def handle(self, *args, url: str, **options) -> None:
        password_file = Path(settings.DATA_DIR) / "admin-password.txt"
        account = admin_ensure(password_file=password_file)
        if account.created:
            self.stdout.write(f"Created superuser '{account.username}'.")
        else:
            self.stdout.write(f"A superuser exists ('{account.username}').")
        if account.password:
            self.stdout.write(
                f"Log in at {url}  user: {account.username}  password: {account.password}  (kept in {password_file})"
            )
        else:
            self.stdout.write(f"Log in at {url} with its password (`manage.py changepassword {account.username}`).")
