/**
 * The error both blob decoders throw.
 *
 * @module
 */

/** A blob that breaks docs/blob-format.md; the message says which rule. */
export class BlobFormatError extends SyntaxError {
  override name = "BlobFormatError";
}
