from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    """The statutory returns (issue 22): the CIN census XML and Ofsted's Annex A lists, read
    from the case records; a top app that nothing else imports."""

    name = "returns"
    verbose_name = "Statutory returns"
