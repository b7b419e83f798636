/**
 * A local $ref's JSON Pointer ("#/$defs/x/properties/y"): its segments after "#", each read as URI text and then
 * as a pointer token (~1 is "/", ~0 is "~"). Throws URIError for a segment that is no URI text.
 */
export const refPointerSegments = (ref: string): string[] =>
  ref
    .slice(1)
    .split('/')
    .slice(1)
    .map((raw) => decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~'));
