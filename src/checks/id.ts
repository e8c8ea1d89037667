import { z } from 'zod';

/** Check ids: 1-128 characters of A-Z a-z 0-9 . _ : - and not only dots. */
export const ID_PATTERN = /^(?!\.+$)[A-Za-z0-9._:-]{1,128}$/;

export const ID_RULE = '1-128 characters of A-Z a-z 0-9 . _ : - (not only dots)';

export { GLOBAL_ID } from '../api/wire.js';

/** True when `id` is a valid check id. Dot-only ids are refused: HTTP clients normalise them out of URLs. */
export const isCheckId = (id: string): boolean => ID_PATTERN.test(id);

/** The one check id schema: API, config `checks`, discovery and stored data. */
export const idSchema = z.string().regex(ID_PATTERN, { message: `must be ${ID_RULE}` });
