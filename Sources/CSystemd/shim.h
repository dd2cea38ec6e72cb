// libsystemd (Debian: libsystemd-dev): readiness notification, socket
// activation and the native journal protocol.
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
