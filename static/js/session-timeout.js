// Warn before the 15-minute idle sign-out and offer to stay signed in. The server decides the
// times (data attributes on <body>); "Stay signed in" asks the server to renew the session.
export function initSessionTimeout (body) {
  const warnAfter = Number(body.dataset.sessionWarningSeconds)
  const idleLimit = Number(body.dataset.sessionIdleSeconds)
  const keepaliveUrl = body.dataset.keepaliveUrl
  const dialog = document.getElementById('session-timeout-dialog')
  if (!warnAfter || !idleLimit || !keepaliveUrl || !dialog || !dialog.showModal) return

  const csrf = document.querySelector('meta[name="csrf-token"]')?.content
  let warnTimer, expireTimer

  function schedule () {
    clearTimeout(warnTimer)
    clearTimeout(expireTimer)
    warnTimer = setTimeout(() => dialog.showModal(), warnAfter * 1000)
    expireTimer = setTimeout(() => {
      window.location.href = body.dataset.signedOutUrl
    }, idleLimit * 1000)
  }

  document.getElementById('session-stay').addEventListener('click', async () => {
    const response = await fetch(keepaliveUrl, {
      method: 'POST',
      headers: { 'X-CSRFToken': csrf },
      credentials: 'same-origin'
    })
    if (response.ok) {
      dialog.close()
      schedule()
    } else {
      window.location.href = body.dataset.signedOutUrl
    }
  })

  schedule()
}
