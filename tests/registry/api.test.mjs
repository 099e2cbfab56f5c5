// API v1 on the default storage, SQLite (see api_suite.mjs for the checks).
import { defineApiSuite } from './api_suite.mjs';
import { defineIdentitySuite } from './api_suite_identity.mjs';
import { startRegistry } from './helpers.mjs';

defineApiSuite('sqlite', () => startRegistry());
defineIdentitySuite('sqlite', () => startRegistry());
