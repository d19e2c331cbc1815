"""The chronology's PDF (notes/pdf.py): its fonts come from Debian's fonts-dejavu-core."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from notes import pdf


@pytest.fixture
def no_fonts(monkeypatch, tmp_path):
    monkeypatch.setattr(pdf, "FONT_DIRECTORY", tmp_path)
    pdf._fonts.cache_clear()
    yield
    pdf._fonts.cache_clear()


def test_missing_fonts_name_the_package_to_install(no_fonts):
    with pytest.raises(ImproperlyConfigured, match="fonts-dejavu-core"):
        pdf._fonts()
