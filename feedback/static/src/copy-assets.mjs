// Copies the few GOV.UK Frontend images we use (favicon) into the built assets folder.
import { cpSync, mkdirSync } from 'node:fs'

const target = 'feedback/static/dist/images'
mkdirSync(target, { recursive: true })
for (const name of ['favicon.ico', 'favicon.svg']) {
  cpSync(`node_modules/govuk-frontend/dist/govuk/assets/images/${name}`, `${target}/${name}`)
}
