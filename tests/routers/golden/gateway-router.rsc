# Wifi Desa: RouterOS 7 setup for one village hotspot gateway.
# Import with: /import file-name=wifidesa.rsc  (safe to run again)
# Routers shipped with RouterOS 7.17 or newer start in device-mode 'home', which
# disables hotspot, fetch and scheduler: run
#   /system device-mode update hotspot=yes fetch=yes scheduler=yes
# and press the reset/mode button (or cut power) within 5 minutes to confirm.
# A hotspot server must exist already (/ip hotspot setup on the LAN interface).
# Fetches use check-certificate=yes: the router must trust the portal's CA
# (see docs/field-checklist.md).
:put "Wifi Desa: Samurangau (64.01.01.2009), desa-samurangau-1"
{
  :local hs true
  :do { :set hs [/system device-mode get hotspot] } on-error={}
  :if ($hs = false) do={ :error "device-mode: hotspot tidak aktif, lihat petunjuk di awal skrip" }
  :if ([:len [/ip hotspot find]] = 0) do={ :error "belum ada server hotspot: jalankan /ip hotspot setup dulu" }
}
/system identity set name="desa-samurangau-1"
/radius remove [find comment="wifidesa"]
/radius add address=[:resolve "radius.example.id"] service=hotspot secret="Sx9aBq7LmN3pR5tV8wY2zC4e" authentication-port=1812 accounting-port=1813 timeout=3s require-message-auth=yes-for-request-resp comment="wifidesa"
/radius add address=10.9.0.2 service=hotspot secret="Sx9aBq7LmN3pR5tV8wY2zC4e" authentication-port=1812 accounting-port=1813 timeout=3s require-message-auth=yes-for-request-resp accounting-backup=yes comment="wifidesa"
/radius incoming set accept=yes port=3799
/ip firewall filter remove [find comment="wifidesa CoA"]
/ip firewall filter add chain=input protocol=udp dst-port=3799 src-address=[:resolve "radius.example.id"] action=accept comment="wifidesa CoA"
/ip firewall filter add chain=input protocol=udp dst-port=3799 src-address=10.9.0.2 action=accept comment="wifidesa CoA"
:if ([:len [/ip firewall filter find]] > 1) do={ /ip firewall filter move [find comment="wifidesa CoA"] destination=0 }
/ip hotspot user profile
:if ([:len [find name="wifidesa-emergency"]] = 0) do={ add name="wifidesa-emergency" }
set [find name="wifidesa-emergency"] rate-limit="256k/512k" shared-users=1 add-mac-cookie=no
set [find default=yes] shared-users=1 add-mac-cookie=no
/ip hotspot profile
:if ([:len [find name="wifidesa"]] = 0) do={ add name="wifidesa" }
set [find name="wifidesa"] hotspot-address=10.5.50.1 login-by=http-chap,http-pap use-radius=yes radius-accounting=yes radius-interim-update=15m nas-port-type=wireless-802.11 radius-mac-format=XX:XX:XX:XX:XX:XX trial-uptime-limit=30m trial-uptime-reset=1d trial-user-profile="wifidesa-emergency"
/ip hotspot set [find] profile="wifidesa"
/ip hotspot walled-garden remove [find comment="wifidesa"]
/ip hotspot walled-garden add dst-host="portal.example.id" action=allow comment="wifidesa"
/ip hotspot walled-garden ip remove [find comment="wifidesa"]
/ip hotspot walled-garden ip add dst-host="portal.example.id" action=accept comment="wifidesa"
{
  :local dir "hotspot"
  :if ([:len [/file find name="flash"]] > 0) do={ :set dir "flash/hotspot" }
  /ip hotspot profile set [find name="wifidesa"] html-directory=$dir
  /tool fetch url="https://portal.example.id/mt/desa-samurangau-1/hotspot/login.html\?token=Hb-tok_en1" dst-path=($dir . "/login.html") check-certificate=yes
  /tool fetch url="https://portal.example.id/mt/desa-samurangau-1/hotspot/flogin.html\?token=Hb-tok_en1" dst-path=($dir . "/flogin.html") check-certificate=yes
  /tool fetch url="https://portal.example.id/mt/desa-samurangau-1/hotspot/status.html\?token=Hb-tok_en1" dst-path=($dir . "/status.html") check-certificate=yes
  /tool fetch url="https://portal.example.id/mt/desa-samurangau-1/hotspot/alogin.html\?token=Hb-tok_en1" dst-path=($dir . "/alogin.html") check-certificate=yes
  /tool fetch url="https://portal.example.id/mt/desa-samurangau-1/hotspot/logout.html\?token=Hb-tok_en1" dst-path=($dir . "/logout.html") check-certificate=yes
  /tool fetch url="https://portal.example.id/mt/desa-samurangau-1/hotspot/errors.txt\?token=Hb-tok_en1" dst-path=($dir . "/errors.txt") check-certificate=yes
  /tool fetch url="https://portal.example.id/mt/desa-samurangau-1/hotspot/api.json\?token=Hb-tok_en1" dst-path=($dir . "/api.json") check-certificate=yes
}
/ip dhcp-server option sets remove [find name="wifidesa"]
/ip dhcp-server option remove [find name="wifidesa-capport"]
/ip dhcp-server option add name="wifidesa-capport" code=114 value="'http://10.5.50.1/api.json'" force=yes
/ip dhcp-server option sets add name="wifidesa" options=wifidesa-capport
:foreach h in=[/ip hotspot find] do={ /ip dhcp-server set [find interface=[/ip hotspot get $h interface]] dhcp-option-set="wifidesa" }
/system scheduler remove [find name~"^wifidesa"]
/tool netwatch remove [find comment="wifidesa"]
/system script remove [find name~"^wifidesa"]
/system script add name="wifidesa-heartbeat" source=":global wdPages\n:global wdReport\n:if ([:typeof \$wdPages] != \"str\") do={ :set wdPages \"\" }\n:if ([:typeof \$wdReport] != \"str\") do={ :set wdReport \"\" }\n:local dir \"hotspot\"\n:if ([:len [/file find name=\"flash\"]] > 0) do={ :set dir \"flash/hotspot\" }\n:local data (\"token=Hb-tok_en1&pages=\" . \$wdPages . \$wdReport)\n:local answer \"\"\n:local heard false\n:do { :local result [/tool fetch url=\"https://portal.example.id/mt/desa-samurangau-1/heartbeat\" http-method=post http-data=\$data http-header-field=\"Content-Type: application/x-www-form-urlencoded\" output=user as-value check-certificate=yes]; :set answer (\$result->\"data\"); :set heard true } on-error={ :log warning \"wifidesa: heartbeat failed\" }\n:if (\$heard) do={ :set wdReport \"\" }\n:if ([:pick \$answer 0 6] = \"fetch \") do={\n  :local version [:pick \$answer 6 [:len \$answer]]\n  :local complete true\n  :foreach f in={\"login.html\";\"flogin.html\";\"status.html\";\"alogin.html\";\"logout.html\";\"errors.txt\";\"api.json\"} do={\n    :do { /tool fetch url=(\"https://portal.example.id/mt/desa-samurangau-1/hotspot/\" . \$f . \"\\\?token=Hb-tok_en1\") dst-path=(\$dir . \"/\" . \$f) check-certificate=yes } on-error={ :set complete false }\n  }\n  :if (\$complete) do={ :set wdPages \$version }\n}"
/system scheduler add name="wifidesa-heartbeat" interval=10m start-time=startup on-event="/system script run wifidesa-heartbeat"
/system script add name="wifidesa-watch" source=":global wdDownAt\n:global wdEmergency\n:global wdSeen\n:global wdReport\n:if ([:typeof \$wdSeen] != \"array\") do={ :set wdSeen [:toarray \"\"] }\n:local probes 0\n:local down 0\n:foreach n in=[/tool netwatch find where comment=\"wifidesa\"] do={\n  :set probes (\$probes + 1)\n  :if ([/tool netwatch get \$n status] = \"down\") do={ :set down (\$down + 1) }\n}\n:if (\$probes > 0 && \$down = \$probes) do={\n  :if ([:typeof \$wdDownAt] != \"time\") do={ :set wdDownAt [:timestamp] }\n  :if (\$wdEmergency != true && ([:timestamp] - \$wdDownAt) >= 3m) do={\n    :set wdEmergency true\n    /ip hotspot profile set [find name=\"wifidesa\"] login-by=http-chap,http-pap,trial\n    :log warning \"wifidesa: central RADIUS unreachable, emergency access on\"\n  }\n}\n:foreach a in=[/ip hotspot active find where login-by=\"trial\"] do={\n  :local b [/ip hotspot active get \$a bytes-in]\n  :set b (\$b + [/ip hotspot active get \$a bytes-out])\n  :local s [:tonum [/ip hotspot active get \$a uptime]]\n  :set (\$wdSeen->[:tostr \$a]) {\$b;\$s}\n}\n:if (\$down < \$probes && [:typeof \$wdDownAt] = \"time\") do={\n  :if (\$wdEmergency = true) do={\n    /ip hotspot profile set [find name=\"wifidesa\"] login-by=http-chap,http-pap\n    :local logins 0\n    :local seconds 0\n    :local bytes 0\n    :foreach k,v in=\$wdSeen do={\n      :set logins (\$logins + 1)\n      :set bytes (\$bytes + (\$v->0))\n      :set seconds (\$seconds + (\$v->1))\n    }\n    /ip hotspot active remove [find where login-by=\"trial\"]\n    :local minutes ([:tonum ([:timestamp] - \$wdDownAt)] / 60)\n    :set wdReport (\"&outage=o\" . [:tonum \$wdDownAt] . \"&emergency_logins=\" . \$logins . \"&emergency_seconds=\" . \$seconds . \"&emergency_bytes=\" . \$bytes . \"&outage_minutes=\" . \$minutes)\n    :set wdEmergency false\n    :set wdSeen [:toarray \"\"]\n    :log warning \"wifidesa: central RADIUS back, emergency access off\"\n  }\n  :set wdDownAt\n  /system script run \"wifidesa-heartbeat\"\n}"
/system scheduler add name="wifidesa-watch" interval=1m start-time=startup on-event="/system script run wifidesa-watch"
/tool netwatch add host=[:resolve "radius.example.id"] type=icmp interval=30s timeout=3s packet-count=3 packet-interval=200ms thr-avg=3s thr-max=3s thr-stdev=3s thr-jitter=3s comment="wifidesa"
/tool netwatch add host=10.9.0.2 type=icmp interval=30s timeout=3s packet-count=3 packet-interval=200ms thr-avg=3s thr-max=3s thr-stdev=3s thr-jitter=3s comment="wifidesa"
:put "Wifi Desa: selesai"
