// Start the NHS.UK frontend components, then our own small enhancements. Every page works
// without this file.
import { initAll } from '../nhsuk/nhsuk-frontend.min.js'
import { initFormDrafts } from './form-drafts.js'
import { initSessionTimeout } from './session-timeout.js'

initAll()
initSessionTimeout(document.body)
initFormDrafts(document.body)
