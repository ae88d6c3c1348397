from django.apps import AppConfig


class WebsiteConfig(AppConfig):
    """The public pages and the Markdown export: built on top of catalog and clusters."""

    name = "website"
    verbose_name = "Website"
