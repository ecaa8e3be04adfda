// Start the NHS.UK frontend components, then our own small enhancements. Every page works
// without this file.
import { initAll } from '../nhsuk/nhsuk-frontend.min.js'
import { initConditionalRadios } from './conditional-radios.js'
import { initFormDrafts } from './form-drafts.js'
import { initSessionTimeout } from './session-timeout.js'

initAll()
initConditionalRadios(document.body)
initSessionTimeout(document.body)
initFormDrafts(document.body)
