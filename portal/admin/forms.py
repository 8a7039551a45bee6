"""WTForms for the admin console; every form carries a CSRF token (Flask-WTF).

Every form derives from `Form`, whose validator messages (WTForms' and Flask-WTF's own,
written in English) are shown in the console's language: Indonesian first, English
when chosen. A domain refusal's words come from `portal.messages.refusal`.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

CATEGORY_LABELS = {
    "pengumuman": _l("Pengumuman"),
    "agenda": _l("Agenda"),
    "kesehatan": _l("Kesehatan/Posyandu"),
    "umkm": _l("UMKM & Produk Desa"),
    "wisata": _l("Potensi & Wisata"),
    "apbdes": _l("Transparansi APBDes"),
    "darurat": _l("Darurat"),
}
ALL_VILLAGES = "*"

#: WTForms' and Flask-WTF's English messages (the singular of a plural pair) → our words.
VALIDATOR_MESSAGES = {
    "This field is required.": _l("Wajib diisi."),
    "Field must be at least %(min)d character long.": _l("Minimal %(min)d karakter."),
    "Field cannot be longer than %(max)d character.": _l("Maksimal %(max)d karakter."),
    "Field must be exactly %(max)d character long.": _l("Harus tepat %(max)d karakter."),
    "Field must be between %(min)d and %(max)d characters long.": _l(
        "Panjang harus %(min)d–%(max)d karakter."
    ),
    "Number must be at least %(min)s.": _l("Angka minimal %(min)s."),
    "Number must be at most %(max)s.": _l("Angka maksimal %(max)s."),
    "Number must be between %(min)s and %(max)s.": _l("Angka harus antara %(min)s dan %(max)s."),
    "Invalid input.": _l("Isian tidak sah."),
    "Invalid URL.": _l("Alamat web tidak sah."),
    "Not a valid choice.": _l("Pilihan tidak sah."),
    "Invalid Choice: could not coerce.": _l("Pilihan tidak sah."),
    "Not a valid datetime value.": _l("Tanggal dan jam tidak sah."),
    "Not a valid date value.": _l("Tanggal tidak sah."),
    "Not a valid integer value.": _l("Harus bilangan bulat."),
    "Not a valid decimal value.": _l("Harus angka."),
    "Not a valid float value.": _l("Harus angka."),
    "The CSRF token is missing.": _l("Formulir kedaluwarsa; muat ulang halaman."),
    "The CSRF token is invalid.": _l("Formulir kedaluwarsa; muat ulang halaman."),
    "The CSRF token has expired.": _l("Formulir kedaluwarsa; muat ulang halaman."),
    "The CSRF tokens do not match.": _l("Formulir kedaluwarsa; muat ulang halaman."),
}


class ValidatorWords:
    """WTForms' translations hook: its English messages in the page's language."""

    def gettext(self, string: str) -> str:
        words = VALIDATOR_MESSAGES.get(string)
        # The lazy string reads the catalog now: Indonesian, or English when chosen;
        # WTForms fills in %(min)d and the like itself.
        return str(words) if words is not None else string

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        # Indonesian has no plural form: the singular's words serve both.
        words = VALIDATOR_MESSAGES.get(singular)
        if words is not None:
            return str(words)
        return singular if n == 1 else plural


class Form(FlaskForm):
    """The console's form: validator messages in the page's language."""

    class Meta:
        def get_translations(self, form: FlaskForm) -> ValidatorWords:
            return ValidatorWords()


def choices(pairs: list[tuple[str, str]]) -> list[SelectChoice]:
    """``(value, label)`` pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


class LoginForm(Form):
    username = StringField(_l("Nama pengguna"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Kata sandi"), validators=[DataRequired(), Length(max=128)])


class TotpForm(Form):
    code = StringField(
        _l("Kode 6 angka dari aplikasi autentikator"), validators=[DataRequired(), Length(max=12)]
    )


class PasswordForm(Form):
    current = PasswordField(_l("Kata sandi sekarang"), validators=[DataRequired()])
    new = PasswordField(_l("Kata sandi baru (min. 10 karakter)"), validators=[DataRequired()])


class ConfirmForm(Form):
    """A button-only form: the CSRF token is its whole content."""


class AnnouncementForm(Form):
    village = SelectField(_l("Desa"), validators=[DataRequired()])
    title = StringField(_l("Judul"), validators=[DataRequired(), Length(max=160)])
    category = SelectField(_l("Kategori"), choices=choices(list(CATEGORY_LABELS.items())))
    body = TextAreaField(_l("Isi (Markdown)"), validators=[Length(max=20000)])
    starts_at = DateTimeLocalField(_l("Mulai tampil (waktu desa)"), validators=[Optional()])
    ends_at = DateTimeLocalField(_l("Berakhir (waktu desa)"), validators=[Optional()])
    pinned = BooleanField(_l("Sematkan di atas"))
    emergency = BooleanField(_l("Tampilkan sebagai spanduk darurat"))
    published = BooleanField(_l("Terbitkan (tanpa centang = draf)"))
    picture = FileField(_l("Gambar (JPEG/PNG/WebP, maks. 5 MB)"))
    remove_picture = BooleanField(_l("Hapus gambar"))

    def validate_ends_at(self, field: DateTimeLocalField) -> None:
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError(_("Waktu berakhir harus setelah waktu mulai."))


class ImportForm(Form):
    village = SelectField(_l("Desa"), validators=[DataRequired()])
    site = URLField(
        _l("Alamat situs OpenSID desa"),
        validators=[DataRequired(), URL(require_tld=False), Length(max=300)],
    )


class VoucherBatchForm(Form):
    village = SelectField(_l("Desa"), validators=[DataRequired()])
    count = IntegerField(
        _l("Jumlah voucher"), default=20, validators=[InputRequired(), NumberRange(1, 500)]
    )
    valid_days = IntegerField(
        _l("Berlaku (hari)"), default=7, validators=[InputRequired(), NumberRange(1, 366)]
    )
    daily_mb = IntegerField(_l("Kuota data per hari (MB)"), validators=[Optional(), NumberRange(0)])
    daily_minutes = IntegerField(
        _l("Waktu per hari (menit)"), validators=[Optional(), NumberRange(0)]
    )
    total_mb = IntegerField(_l("Kuota data total (MB)"), validators=[Optional(), NumberRange(0)])
    total_minutes = IntegerField(_l("Waktu total (menit)"), validators=[Optional(), NumberRange(0)])
    label = StringField(_l("Keterangan"), validators=[Optional(), Length(max=80)])
    layout = SelectField(
        _l("Tata letak cetak"),
        choices=choices([("a4", _l("Kertas A4")), ("thermal", _l("Printer termal 58 mm"))]),
    )


class TermsForm(Form):
    summary = TextAreaField(
        _l("Ringkasan (3–5 poin, satu per baris)"), validators=[DataRequired(), Length(max=1000)]
    )
    full_text = TextAreaField(_l("Teks lengkap"), validators=[DataRequired(), Length(max=20000)])


class UserForm(Form):
    username = StringField(_l("Nama pengguna"), validators=[DataRequired(), Length(min=3, max=64)])
    role = SelectField(_l("Peran"))
    scope = StringField(
        _l("Kode wilayah (desa: 64.01.01.2009, kabupaten: 64.01)"),
        validators=[DataRequired(), Length(max=13)],
    )
