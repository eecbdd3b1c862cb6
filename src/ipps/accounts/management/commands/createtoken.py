from django.core.management.base import BaseCommand, CommandError

from ipps.accounts.models import User
from ipps.accounts.services import token_create


class Command(BaseCommand):
    help = "Create an API token for a user and print it (it is shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="What the token is for.")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user is called {username!r}.", returncode=1)
        if not user.is_active:
            raise CommandError(f"The account {username!r} is disabled.", returncode=1)
        token, raw = token_create(user=user, name=name)
        self.stderr.write(
            f"Token {token.name!r} for {user.username} created; it will not be shown again:"
        )
        self.stdout.write(raw)
