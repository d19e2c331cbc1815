from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Users, agencies and access"

    def ready(self) -> None:
        from accounts import checks, signals  # noqa: F401  # registers checks and receivers
