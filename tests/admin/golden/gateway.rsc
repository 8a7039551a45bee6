# Wifi Desa: RouterOS 7 setup for one village hotspot gateway.
# Import with: /import file-name=wifidesa.rsc  (safe to run again)
# Routers shipped with RouterOS 7.17 or newer start in device-mode 'home', which
# disables hotspot, fetch and scheduler: run
#   /system device-mode update hotspot=yes fetch=yes scheduler=yes
# and press the reset/mode button (or cut power) within 5 minutes to confirm.
# A hotspot server must exist already (/ip hotspot setup on the LAN interface).
# Fetches use check-certificate=yes: the router must trust the portal's CA
# (see docs/field-checklist.md).
:put "Wifi Desa: Samurangau \"Hulu\" \$HOME \\ \?\n/system reset-configuration (64.01.01.2009), desa-samurangau-1"
{
  :local hs true
  :do { :set hs [/system device-mode get hotspot] } on-error={}
  :if ($hs = false) do={ :error "device-mode: hotspot tidak aktif, lihat petunjuk di awal skrip" }
  :if ([:len [/ip hotspot find]] = 0) do={ :error "belum ada server hotspot: jalankan /ip hotspot setup dulu" }
}
/system identity set name="desa-samurangau-1"
/radius remove [find comment="wifidesa"]
/radius add address=[:resolve "radius.example.id"] service=hotspot secret="Sx\$\"\\\?9aB" authentication-port=1812 accounting-port=1813 timeout=3s require-message-auth=yes-for-request-resp comment="wifidesa"
/radius add address=[:resolve "radius.example.id"] service=hotspot secret="Sx\$\"\\\?9aB" authentication-port=1812 accounting-port=1813 timeout=3s require-message-auth=yes-for-request-resp accounting-backup=yes comment="wifidesa"
/radius incoming set accept=yes port=3799
/ip firewall filter remove [find comment="wifidesa CoA"]
/ip firewall filter add chain=input protocol=udp dst-port=3799 src-address=[:resolve "radius.example.id"] action=accept comment="wifidesa CoA"
:if ([:len [/ip firewall filter find]] > 1) do={ /ip firewall filter move [find comment="wifidesa CoA"] destination=0 }
/ip hotspot user profile
:if ([:len [find name="wifidesa-emergency"]] = 0) do={ add name="wifidesa-emergency" }
set [find name="wifidesa-emergency"] rate-limit="256k/512k" shared-users=1 add-mac-cookie=no
set [find default=yes] shared-users=1 add-mac-cookie=no
/ip hotspot profile
:if ([:len [find name="wifidesa"]] = 0) do={ add name="wifidesa" }
set [find name="wifidesa"] dns-name="wifi.samurangau.desa.id" login-by=http-chap,http-pap use-radius=yes radius-accounting=yes radius-interim-update=5m nas-port-type=wireless-802.11 radius-mac-format=XX:XX:XX:XX:XX:XX trial-uptime-limit=30m trial-uptime-reset=1d trial-user-profile="wifidesa-emergency"
/ip hotspot set [find] profile="wifidesa"
/ip hotspot walled-garden remove [find comment="wifidesa"]
/ip hotspot walled-garden add dst-host="portal.example.id" action=allow comment="wifidesa"
/ip hotspot walled-garden ip remove [find comment="wifidesa"]
/ip hotspot walled-garden ip add dst-host="portal.example.id" action=accept comment="wifidesa"
{
  :local dir "hotspot"
  :if ([:len [/file find name="flash"]] > 0) do={ :set dir "flash/hotspot" }
  /ip hotspot profile set [find name="wifidesa"] html-directory=$dir
  /tool fetch url="https://portal.example.id/mt/desa-samurangau-1/login.html" dst-path=($dir . "/login.html") check-certificate=yes
}
/ip dhcp-server option sets remove [find name="wifidesa"]
/ip dhcp-server option remove [find name="wifidesa-capport"]
/system scheduler remove [find name~"^wifidesa"]
/tool netwatch remove [find comment="wifidesa"]
/system script remove [find name~"^wifidesa"]
/system script add name="wifidesa-heartbeat" source=":local data \"token=tok%24en%3Fx\"\n:do { /tool fetch url=\"https://portal.example.id/mt/desa-samurangau-1/heartbeat\" http-method=post http-data=\$data http-header-field=\"Content-Type: application/x-www-form-urlencoded\" output=user as-value check-certificate=yes } on-error={ :log warning \"wifidesa: heartbeat failed\" }"
/system scheduler add name="wifidesa-heartbeat" interval=10m start-time=startup on-event="/system script run wifidesa-heartbeat"
:put "Wifi Desa: selesai"
