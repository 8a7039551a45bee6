"""Forms of the regency officer's pages: gateways with their inventory, villages,
fair-use policies and API tokens. Every form derives from `portal.admin.forms.Form`
(validator messages in the console's language)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from portal.admin.forms import Form, choices

# --- console: gateway inventory (provider, backhaul, contract); see inventory.py -----------
BACKHAUL_LABELS = {
    "satellite": _l("Satelit (VSAT/LEO)"),
    "radio": _l("Radio (point-to-point)"),
    "fibre": _l("Serat optik (FO)"),
}
#: The form's own checks of the inventory fields (the domain's refusals of the same
#: values have the same words in `portal.messages.REFUSALS`).
INVENTORY_ERRORS = {
    "provider": _l("Nama penyedia paling banyak 80 karakter."),
    "backhaul_class": _l("Pilih jenis backhaul dari daftar."),
    "contracted_mbps": _l("Kapasitas kontrak harus 1 sampai 100.000 Mbps."),
    "programme": _l("Nama program paling banyak 80 karakter."),
    "contract_end": _l("Tanggal berakhir kontrak tidak valid."),
}


class WholeNumberField(IntegerField):
    """An IntegerField whose "not a number" error is Indonesian (WTForms has no id locale)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Isi dengan bilangan bulat, mis. 4.")) from None


class LocalDateField(DateField):
    """A DateField whose "not a date" error is Indonesian."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Isi tanggal yang valid (hari/bulan/tahun).")) from None


class InventoryFields:
    """Who connects the village, over what, paid by whom and until when (all optional)."""

    provider = StringField(
        _l("Penyedia layanan (ISP)"),
        validators=[Optional(), Length(max=80, message=INVENTORY_ERRORS["provider"])],
    )
    backhaul_class = SelectField(
        _l("Jenis backhaul"),
        choices=choices([("", _l("— belum diketahui —")), *BACKHAUL_LABELS.items()]),
        validate_choice=False,
    )
    contracted_mbps = WholeNumberField(
        _l("Kapasitas kontrak (Mbps)"),
        validators=[
            Optional(),
            NumberRange(1, 100_000, message=INVENTORY_ERRORS["contracted_mbps"]),
        ],
    )
    programme = StringField(
        _l("Program atau pendana"),
        validators=[Optional(), Length(max=80, message=INVENTORY_ERRORS["programme"])],
        render_kw={"list": "programmes"},
    )
    contract_end = LocalDateField(_l("Kontrak berakhir"), validators=[Optional()])

    def validate_backhaul_class(self, field: SelectField) -> None:
        if field.data and field.data not in BACKHAUL_LABELS:
            raise ValidationError(INVENTORY_ERRORS["backhaul_class"])


# --- /console ----------------------------------------------------------------------------


class GatewayForm(InventoryFields, Form):
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


# --- console: villages --------------------------------------------------------------------
TIMEZONE_LABELS = {"WIB": "WIB (UTC+7)", "WITA": "WITA (UTC+8)", "WIT": "WIT (UTC+9)"}


class VillageForm(Form):
    ssid = StringField(
        _l("Nama Wi-Fi (SSID)"),
        validators=[
            DataRequired(message=_l("Isi nama Wi-Fi.")),
            Length(max=32, message=_l("Nama Wi-Fi paling banyak 32 karakter.")),
        ],
    )
    timezone = SelectField(
        _l("Zona waktu"), choices=choices(list(TIMEZONE_LABELS.items())), validate_choice=False
    )

    def validate_timezone(self, field: SelectField) -> None:
        if field.data not in TIMEZONE_LABELS:
            raise ValidationError(_("Pilih WIB, WITA atau WIT."))


# --- console: fair-use policies -----------------------------------------------------------
ON_EXHAUSTED_LABELS = {
    "reject": _l("Putuskan sampai besok"),
    "throttle": _l("Perlambat (WhatsApp tetap jalan)"),
}
#: The form's own checks of the policy fields (the domain's refusals: messages.REFUSALS).
POLICY_ERRORS = {
    "daily_mb": _l("Isi 0 (tanpa batas) atau lebih."),
    "daily_minutes": _l("Isi 0 (tanpa batas) atau lebih."),
    "rate_limit": _l("Tulis kecepatan seperti di MikroTik: unggah/unduh, mis. 256k/1M."),
    "max_session_minutes": _l("Isi paling sedikit 1 menit."),
    "idle_minutes": _l("Isi paling sedikit 1 menit."),
    "interim_minutes": _l("Isi paling sedikit 1 menit."),
    "on_exhausted": _l("Pilih dari daftar."),
    "throttle_rate": _l("Tulis kecepatan seperti di MikroTik: unggah/unduh, mis. 256k/1M."),
}


def _count(label: str, least: int, hint_key: str) -> WholeNumberField:
    return WholeNumberField(
        label, validators=[Optional(), NumberRange(min=least, message=POLICY_ERRORS[hint_key])]
    )


class PolicyForm(Form):
    """Fair-use values of a regency or village; an empty field inherits."""

    daily_mb = _count(_l("Kuota data per perangkat per hari (MB, 0 = tanpa batas)"), 0, "daily_mb")
    daily_minutes = _count(
        _l("Waktu per perangkat per hari (menit, 0 = tanpa batas)"), 0, "daily_minutes"
    )
    rate_limit = StringField(
        _l("Kecepatan per perangkat (unggah/unduh)"),
        validators=[Optional(), Length(max=100, message=POLICY_ERRORS["rate_limit"])],
    )
    max_session_minutes = _count(_l("Lama sesi terpanjang (menit)"), 1, "max_session_minutes")
    idle_minutes = _count(_l("Putus bila diam selama (menit)"), 1, "idle_minutes")
    interim_minutes = _count(_l("Laporan pemakaian dari router tiap (menit)"), 1, "interim_minutes")
    on_exhausted = SelectField(
        _l("Bila kuota habis"),
        choices=choices([("", _l("— ikut bawaan —")), *ON_EXHAUSTED_LABELS.items()]),
        validate_choice=False,
    )
    throttle_rate = StringField(
        _l("Kecepatan setelah kuota habis (unggah/unduh)"),
        validators=[Optional(), Length(max=100, message=POLICY_ERRORS["throttle_rate"])],
    )

    def validate_on_exhausted(self, field: SelectField) -> None:
        if field.data and field.data not in ON_EXHAUSTED_LABELS:
            raise ValidationError(POLICY_ERRORS["on_exhausted"])


# --- console: API tokens ------------------------------------------------------------------
class TokenForm(Form):
    area = SelectField(_l("Wilayah yang boleh dibaca"), validate_choice=False)
    label = StringField(
        _l("Keterangan (untuk apa token ini)"),
        validators=[
            DataRequired(message=_l("Isi keterangan, mis. dasbor Satu Data.")),
            Length(max=80, message=_l("Keterangan paling banyak 80 karakter.")),
        ],
    )
