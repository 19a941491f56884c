/**
 * The project's zod: `zod/mini` with English messages. Not classic `zod`, whose build carries every
 * locale (about 455 KB) into each Lambda bundle; mini tree-shakes to what the schemas use. Import `z`
 * from here (`import * as z`), never from 'zod' directly, so that every error message names the problem.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
