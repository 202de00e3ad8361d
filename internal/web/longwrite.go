package web

import (
	"net/http"
	"time"
)

// AllowLongWrite lifts the server's read and write timeouts for one long
// request (a large import or export) to d from now.
func AllowLongWrite(w http.ResponseWriter, d time.Duration) {
	rc := http.NewResponseController(w)
	deadline := time.Now().Add(d)
	rc.SetReadDeadline(deadline)
	rc.SetWriteDeadline(deadline)
}
