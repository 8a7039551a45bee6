"""WTForms for the admin console; every form carries a CSRF token (Flask-WTF)."""

from __future__ import annotations

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

from portal.admin.i18n import gettext as _

CATEGORY_LABELS = {
    "pengumuman": "Pengumuman",
    "agenda": "Agenda",
    "kesehatan": "Kesehatan/Posyandu",
    "umkm": "UMKM & Produk Desa",
    "wisata": "Potensi & Wisata",
    "apbdes": "Transparansi APBDes",
    "darurat": "Darurat",
}
ALL_VILLAGES = "*"


def choices(pairs: list[tuple[str, str]]) -> list[SelectChoice]:
    """``(value, label)`` pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


class LoginForm(FlaskForm):
    username = StringField("Nama pengguna", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Kata sandi", validators=[DataRequired(), Length(max=128)])


class TotpForm(FlaskForm):
    code = StringField(
        "Kode 6 angka dari aplikasi autentikator", validators=[DataRequired(), Length(max=12)]
    )


class PasswordForm(FlaskForm):
    current = PasswordField("Kata sandi sekarang", validators=[DataRequired()])
    new = PasswordField("Kata sandi baru (min. 10 karakter)", validators=[DataRequired()])


class ConfirmForm(FlaskForm):
    """A button-only form: the CSRF token is its whole content."""


class AnnouncementForm(FlaskForm):
    village = SelectField("Desa", validators=[DataRequired()])
    title = StringField("Judul", validators=[DataRequired(), Length(max=160)])
    category = SelectField("Kategori", choices=choices(list(CATEGORY_LABELS.items())))
    body = TextAreaField("Isi (Markdown)", validators=[Length(max=20000)])
    starts_at = DateTimeLocalField("Mulai tampil (waktu desa)", validators=[Optional()])
    ends_at = DateTimeLocalField("Berakhir (waktu desa)", validators=[Optional()])
    pinned = BooleanField("Sematkan di atas")
    emergency = BooleanField("Tampilkan sebagai spanduk darurat")
    published = BooleanField("Terbitkan (tanpa centang = draf)")
    picture = FileField("Gambar (JPEG/PNG/WebP, maks. 5 MB)")
    remove_picture = BooleanField("Hapus gambar")

    def validate_ends_at(self, field: DateTimeLocalField) -> None:
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError(_("Waktu berakhir harus setelah waktu mulai."))


class ImportForm(FlaskForm):
    village = SelectField("Desa", validators=[DataRequired()])
    site = URLField(
        "Alamat situs OpenSID desa",
        validators=[DataRequired(), URL(require_tld=False), Length(max=300)],
    )


class VoucherBatchForm(FlaskForm):
    village = SelectField("Desa", validators=[DataRequired()])
    count = IntegerField(
        "Jumlah voucher", default=20, validators=[InputRequired(), NumberRange(1, 500)]
    )
    valid_days = IntegerField(
        "Berlaku (hari)", default=7, validators=[InputRequired(), NumberRange(1, 366)]
    )
    daily_mb = IntegerField("Kuota data per hari (MB)", validators=[Optional(), NumberRange(0)])
    daily_minutes = IntegerField("Waktu per hari (menit)", validators=[Optional(), NumberRange(0)])
    total_mb = IntegerField("Kuota data total (MB)", validators=[Optional(), NumberRange(0)])
    total_minutes = IntegerField("Waktu total (menit)", validators=[Optional(), NumberRange(0)])
    label = StringField("Keterangan", validators=[Optional(), Length(max=80)])
    layout = SelectField(
        "Tata letak cetak",
        choices=choices([("a4", "Kertas A4"), ("thermal", "Printer termal 58 mm")]),
    )


class GatewayForm(FlaskForm):
    village = SelectField("Desa", validators=[DataRequired()])
    nas_identifier = StringField(
        "NAS-Identifier (nama router)", validators=[DataRequired(), Length(max=64)]
    )
    source_address = StringField(
        "Alamat sumber paket RADIUS (IP atau jaringan)", validators=[DataRequired(), Length(max=64)]
    )
    hotspot_host = StringField(
        "Alamat hotspot (IP atau nama DNS)", validators=[DataRequired(), Length(max=253)]
    )
    coa_port = IntegerField(
        "Port CoA", default=3799, validators=[InputRequired(), NumberRange(1, 65535)]
    )
    require_message_authenticator = BooleanField("Wajib Message-Authenticator", default=True)


class TermsForm(FlaskForm):
    summary = TextAreaField(
        "Ringkasan (3–5 poin, satu per baris)", validators=[DataRequired(), Length(max=1000)]
    )
    full_text = TextAreaField("Teks lengkap", validators=[DataRequired(), Length(max=20000)])


class UserForm(FlaskForm):
    username = StringField("Nama pengguna", validators=[DataRequired(), Length(min=3, max=64)])
    role = SelectField("Peran")
    scope = StringField(
        "Kode wilayah (desa: 64.01.01.2009, kabupaten: 64.01)",
        validators=[DataRequired(), Length(max=13)],
    )
