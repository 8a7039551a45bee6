# Wifi Desa: RouterOS 7 setup for one village hotspot gateway.
# Import with: /import file-name=wifidesa.rsc  (safe to run again)
# Routers shipped with RouterOS 7.17 or newer start in device-mode 'home', which
# disables hotspot, fetch and scheduler: run
#   /system device-mode update hotspot=yes fetch=yes scheduler=yes
# and press the reset/mode button (or cut power) within 5 minutes to confirm.
# A hotspot server must exist already (/ip hotspot setup on the LAN interface).
:put "Wifi Desa: Samurangau \"Hulu\" \$HOME \\ \?\n/system reset-configuration (64.01.01.2009), desa-samurangau-1"
{
  :local hs true
  :do { :set hs [/system device-mode get hotspot] } on-error={}
  :if ($hs = false) do={ :error "device-mode: hotspot tidak aktif, lihat petunjuk di awal skrip" }
  :if ([:len [/ip hotspot find]] = 0) do={ :error "belum ada server hotspot: jalankan /ip hotspot setup dulu" }
}
/system identity set name="desa-samurangau-1"
/radius remove [find comment="wifidesa"]
/radius add service=hotspot address=[:resolve "radius.example.id"] secret="Sx\$\"\\\?9aB" authentication-port=1812 accounting-port=1813 timeout=3s require-message-auth=yes-for-request-resp comment="wifidesa"
/radius incoming set accept=yes port=3799
/ip firewall filter remove [find comment="wifidesa CoA"]
/ip firewall filter add chain=input protocol=udp dst-port=3799 src-address=[:resolve "radius.example.id"] action=accept comment="wifidesa CoA"
:if ([:len [/ip firewall filter find]] > 1) do={ /ip firewall filter move [find comment="wifidesa CoA"] destination=0 }
/ip hotspot profile
:if ([:len [find name="wifidesa"]] = 0) do={ add name="wifidesa" }
set [find name="wifidesa"] dns-name="wifi.samurangau.desa.id" login-by=http-chap,http-pap use-radius=yes radius-accounting=yes radius-interim-update=5m nas-port-type=wireless-802.11 radius-mac-format=XX:XX:XX:XX:XX:XX
/ip hotspot set [find] profile="wifidesa"
/ip hotspot user profile set [find default=yes] shared-users=1 add-mac-cookie=no
/ip hotspot walled-garden remove [find comment="wifidesa"]
/ip hotspot walled-garden add dst-host="portal.example.id" action=allow comment="wifidesa"
/ip hotspot walled-garden ip remove [find comment="wifidesa"]
/ip hotspot walled-garden ip add dst-host="portal.example.id" action=accept comment="wifidesa"
{
  :local dir "hotspot"
  :if ([:len [/file find name="flash"]] > 0) do={ :set dir "flash/hotspot" }
  /ip hotspot profile set [find name="wifidesa"] html-directory=$dir
  /tool fetch url="https://portal.example.id/mt/desa-samurangau-1/login.html" dst-path=($dir . "/login.html") check-certificate=no
}
/system scheduler remove [find name="wifidesa-heartbeat"]
/system scheduler add name="wifidesa-heartbeat" interval=5m start-time=startup on-event="/tool fetch url=\"https://portal.example.id/mt/desa-samurangau-1/heartbeat\" http-method=post http-data=\"token=tok%24en%3Fx\" http-header-field=\"Content-Type: application/x-www-form-urlencoded\" output=none check-certificate=no"
:put "Wifi Desa: selesai"
