/*
 * Image ids and tag names as docker 1.x writes them, shared by the images service (which decides)
 * and the gateway (which refuses a bad id or tag before anything is read or written).
 */

const IMAGE_ID = /^[a-f0-9]{64}$/;
/** As docker and Quay accept it. */
const TAG = /^[\w][\w.-]{0,127}$/;

/** A v1 image id: 64 lower-case hex characters. */
export const isImageId = (raw: unknown): raw is string => typeof raw === 'string' && IMAGE_ID.test(raw);

export const isTagName = (raw: unknown): raw is string => typeof raw === 'string' && TAG.test(raw);
