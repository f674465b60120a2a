// Builds a numbers-api app per test (closed when the test ends), with the
// defaults of the config registry.
import { defaultsOf, keysUsedBy } from '@numbers/config'
import { testAppBuilder } from '../../../test/helpers/apps.ts'
import { buildApp } from '../src/app.ts'

/** The app with the registry's defaults and `config` over them, closed when the test ends. */
export const buildTestApp = testAppBuilder(buildApp, defaultsOf(keysUsedBy('numbers-api')))
