// Warn before the idle sign-out and offer to stay signed in. The server decides the times (data
// attributes on <body>) and says on every signed-in response how long the session has left
// (the X-Session-Idle-Remaining header), so an autosave's answer moves the warning too.
//
// - Activity (typing, clicking) renews the session, at most once every SESSION_RENEW_SECONDS,
//   so someone typing a long answer is not warned.
// - Tabs agree: the time the session ends is kept in localStorage (a time, nothing personal);
//   a renewal in one tab moves the others' warning, closes their dialog and stops them sending
//   the user to sign in.
// - The dialog takes the focus itself, on its heading, when it opens: a space typed into a text
//   box just before it opens does not press "Stay signed in". Escape stays signed in too.
// - Signed out, the user comes back to this page after signing in (what they typed in a portal
//   form is kept by form-drafts.js).
const SHARED_KEY = 'ctr-session-ends-at'
const ACTIVITY = ['keydown', 'pointerdown', 'input']

function readShared () {
  try {
    return Number(window.localStorage.getItem(SHARED_KEY)) || 0
  } catch {
    return 0 // storage refused (private mode): this tab still keeps its own time
  }
}

function writeShared (endsAt) {
  try {
    window.localStorage.setItem(SHARED_KEY, String(endsAt))
  } catch {}
}

export function initSessionTimeout (body) {
  const warnAfter = Number(body.dataset.sessionWarningSeconds)
  const idleLimit = Number(body.dataset.sessionIdleSeconds)
  const renewEvery = Number(body.dataset.sessionRenewSeconds) || 60
  const keepaliveUrl = body.dataset.keepaliveUrl
  const dialog = document.getElementById('session-timeout-dialog')
  if (!warnAfter || !idleLimit || !keepaliveUrl || !dialog || !dialog.showModal) return

  const heading = document.getElementById('session-timeout-heading')
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content
  const warningWindow = (idleLimit - warnAfter) * 1000
  const remaining = Number(body.dataset.sessionRemainingSeconds || idleLimit)
  let endsAt = 0
  let warnTimer, expireTimer, returnFocus
  let renewing = false

  function schedule () {
    clearTimeout(warnTimer)
    clearTimeout(expireTimer)
    const now = Date.now()
    warnTimer = setTimeout(warn, Math.max(0, endsAt - warningWindow - now))
    expireTimer = setTimeout(expire, Math.max(0, endsAt - now))
    if (dialog.open && endsAt - warningWindow > now) closeDialog()
  }

  // The session now ends at `at` (never earlier than a time already known: the server only
  // ever moves it later). `share`: tell the other tabs.
  function endsAtLeast (at, share = true) {
    if (at <= endsAt) return
    endsAt = at
    if (share && at > readShared()) writeShared(at)
    schedule()
  }

  function warn () {
    if (dialog.open) return
    returnFocus = document.activeElement
    dialog.showModal()
    heading.focus() // not the button: a space typed a moment ago must not press it
  }

  function closeDialog () {
    dialog.close()
    if (returnFocus && document.contains(returnFocus)) returnFocus.focus()
    returnFocus = null
  }

  function signedOut () {
    const here = window.location.pathname + window.location.search
    window.location.href = body.dataset.signedOutUrl + '&next=' + encodeURIComponent(here)
  }

  function expire () {
    const shared = readShared()
    if (shared > Date.now()) {
      endsAtLeast(shared, false) // another tab renewed it
      return
    }
    signedOut()
  }

  async function renew () {
    if (renewing) return
    renewing = true
    try {
      const response = await fetch(keepaliveUrl, {
        method: 'POST',
        headers: { 'X-CSRFToken': csrf },
        credentials: 'same-origin'
      })
      if (!response.ok) return signedOut()
      const answer = await response.json()
      endsAtLeast(Date.now() + (answer.idle_seconds || idleLimit) * 1000)
    } catch {
      // Offline for a moment: the warning stays, and the next activity tries again.
    } finally {
      renewing = false
    }
  }

  async function stay () {
    await renew()
    if (dialog.open) closeDialog()
  }

  function onActivity () {
    if (dialog.open) return // the dialog asks; an answer there decides
    // Renew once the last renewal is more than renewEvery old.
    if (Date.now() > endsAt - idleLimit * 1000 + renewEvery * 1000) renew()
  }

  document.getElementById('session-stay').addEventListener('click', stay)
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault() // Escape: stay signed in, rather than close and sign out later
    stay()
  })
  for (const type of ACTIVITY) {
    document.addEventListener(type, onActivity, { capture: true, passive: true })
  }
  document.addEventListener('htmx:afterRequest', (event) => {
    const left = event.detail.xhr?.getResponseHeader('X-Session-Idle-Remaining')
    if (left) endsAtLeast(Date.now() + Number(left) * 1000)
  })
  window.addEventListener('storage', (event) => {
    if (event.key === SHARED_KEY) endsAtLeast(Number(event.newValue) || 0, false)
  })

  endsAtLeast(Date.now() + remaining * 1000)
  endsAtLeast(readShared(), false) // a later time another tab knows of
}
