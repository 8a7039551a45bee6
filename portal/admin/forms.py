"""WTForms for the admin console; every form carries a CSRF token (Flask-WTF)."""

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


def choices(pairs: list[tuple[str, str]]) -> list[SelectChoice]:
    """``(value, label)`` pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


class LoginForm(FlaskForm):
    username = StringField(_l("Nama pengguna"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Kata sandi"), validators=[DataRequired(), Length(max=128)])


class TotpForm(FlaskForm):
    code = StringField(
        _l("Kode 6 angka dari aplikasi autentikator"), validators=[DataRequired(), Length(max=12)]
    )


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Kata sandi sekarang"), validators=[DataRequired()])
    new = PasswordField(_l("Kata sandi baru (min. 10 karakter)"), validators=[DataRequired()])


class ConfirmForm(FlaskForm):
    """A button-only form: the CSRF token is its whole content."""


class AnnouncementForm(FlaskForm):
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


class ImportForm(FlaskForm):
    village = SelectField(_l("Desa"), validators=[DataRequired()])
    site = URLField(
        _l("Alamat situs OpenSID desa"),
        validators=[DataRequired(), URL(require_tld=False), Length(max=300)],
    )


class VoucherBatchForm(FlaskForm):
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


class GatewayForm(FlaskForm):
    village = SelectField(_l("Desa"), validators=[DataRequired()])
    nas_identifier = StringField(
        _l("NAS-Identifier (nama router)"), validators=[DataRequired(), Length(max=64)]
    )
    source_address = StringField(
        _l("Alamat sumber paket RADIUS (IP atau jaringan)"),
        validators=[DataRequired(), Length(max=64)],
    )
    hotspot_host = StringField(
        _l("Alamat hotspot (IP atau nama DNS)"), validators=[DataRequired(), Length(max=253)]
    )
    coa_port = IntegerField(
        _l("Port CoA"), default=3799, validators=[InputRequired(), NumberRange(1, 65535)]
    )
    require_message_authenticator = BooleanField(_l("Wajib Message-Authenticator"), default=True)
    splash_location = SelectField(
        _l("Halaman masuk warga"),
        choices=choices(
            [
                ("router", _l("Di router (disarankan, wajib untuk satelit)")),
                ("portal", _l("Di portal pusat (jaringan cepat saja)")),
            ]
        ),
        default="router",
    )


class TermsForm(FlaskForm):
    summary = TextAreaField(
        _l("Ringkasan (3–5 poin, satu per baris)"), validators=[DataRequired(), Length(max=1000)]
    )
    full_text = TextAreaField(_l("Teks lengkap"), validators=[DataRequired(), Length(max=20000)])


class UserForm(FlaskForm):
    username = StringField(_l("Nama pengguna"), validators=[DataRequired(), Length(min=3, max=64)])
    role = SelectField(_l("Peran"))
    scope = StringField(
        _l("Kode wilayah (desa: 64.01.01.2009, kabupaten: 64.01)"),
        validators=[DataRequired(), Length(max=13)],
    )
