/**
 * A lighter decoding of ListFunctions pages for the per-target Lambda clients (clients.ts), through
 * the SDK's own extension point: the `jsonCodec` of the client's restJson1 protocol (AwsRestJsonProtocol,
 * given in `protocolSettings`).
 *
 * The SDK decodes a response body in two passes: JSON.parse, then a walk of the output's schema that
 * copies every structure member by member (a CPU profile of a 3,400-target run had that walk at a
 * sixth of the engine thread's time, plus the garbage of the copies). For the page of ListFunctions
 * the walk changes nothing a reader sees, as long as every shape below it is one JSON already gives
 * as the SDK would (strings, numbers, booleans, lists, maps, structures; no timestamp, blob, big
 * number, document, union, `jsonName` or media type): it only drops null and unknown members. That is
 * checked once, on the SDK's own schema (`ListFunctionsResponse$`, a public export in the static
 * schema format of @smithy/types), so an SDK whose Lambda model adds such a shape falls back to the
 * SDK's decoding by itself.
 *
 * What changes for a reader of `FunctionConfiguration`: a member AWS sends as null stays null rather
 * than absent, and a member the SDK's model does not know stays. The record mapping reads every
 * member with `??` or `?.`, so neither reaches a record. Everything else goes through the SDK's codec
 * unchanged: error bodies (so errors and throttles are classified as before), request serialization,
 * and any page whose body is not the expected object.
 */
import { ListFunctionsResponse$ } from '@aws-sdk/client-lambda';

/** The parts of @smithy/types' `Codec` and `ShapeDeserializer` that the protocol calls. */
interface SerdeAware {
  setSerdeContext(context: unknown): void;
}
interface ShapeDeserializer extends SerdeAware {
  read(schema: unknown, data: unknown): unknown;
  readObject?(schema: unknown, data: unknown): unknown;
}
export interface JsonCodec extends SerdeAware {
  createSerializer(): SerdeAware;
  createDeserializer(): ShapeDeserializer;
}

/** @smithy/types static schemas: an id (0 simple, 1 list, 2 map, 3 structure), namespace, name, traits... */
const SIMPLE = 0;
const LIST = 1;
const MAP = 2;
const STRUCTURE = 3;
/** Type codes JSON gives as the SDK does: string, number, boolean; and lists and maps of them. */
const JSON_NATIVE_TYPES = new Set([0b0000_0000, 0b0000_0001, 0b0000_0010]);
const LIST_MODIFIER = 0b0100_0000;
const MAP_MODIFIER = 0b1000_0000;
/** Traits that do not change how a body member is decoded. */
const NEUTRAL_TRAITS = new Set(['sensitive', 'required', 'default', 'documentation', 'idempotencyToken']);

/**
 * True when the SDK's schema walk gives back what JSON.parse gives for every shape `schema` reaches,
 * null and unknown members aside. Anything this does not recognise counts as not.
 */
export function decodesAsParsed(schema: unknown, seen = new Set<unknown>()): boolean {
  const resolved = typeof schema === 'function' ? (schema as () => unknown)() : schema;
  if (typeof resolved === 'number') {
    // a list or a map of a simple type: one modifier bit at most
    const listAndMap = (resolved & LIST_MODIFIER) !== 0 && (resolved & MAP_MODIFIER) !== 0;
    return !listAndMap && JSON_NATIVE_TYPES.has(resolved & ~(LIST_MODIFIER | MAP_MODIFIER));
  }
  if (!Array.isArray(resolved)) return false;
  // a member: [schema, traits]
  if (resolved.length === 2) return neutralTraits(resolved[1]) && decodesAsParsed(resolved[0], seen);
  const [id, , , traits] = resolved as [unknown, unknown, unknown, unknown, ...unknown[]];
  if (!neutralTraits(traits)) return false;
  switch (id) {
    case SIMPLE:
    case LIST:
      return decodesAsParsed(resolved[4], seen);
    case MAP:
      return decodesAsParsed(resolved[4], seen) && decodesAsParsed(resolved[5], seen);
    case STRUCTURE: {
      if (seen.has(resolved)) return true;
      seen.add(resolved);
      const members = resolved[5];
      return Array.isArray(members) && members.every((member) => decodesAsParsed(member, seen));
    }
    default:
      return false;
  }
}

function neutralTraits(traits: unknown): boolean {
  // a number is a bit vector of binding traits (label, payload, sensitive...): none changes a body member
  if (typeof traits === 'number') return true;
  return (
    typeof traits === 'object' &&
    traits !== null &&
    Object.keys(traits).every((name) => NEUTRAL_TRAITS.has(name))
  );
}

let listFunctionsPageIsPlainJson: boolean | undefined;

/**
 * The body of a ListFunctions response, as the restJson1 protocol hands it to the codec: a structure
 * schema built from the output's body members, under the output's namespace and name.
 */
function isListFunctionsBody(schema: unknown): boolean {
  if (!Array.isArray(schema) || schema[0] !== STRUCTURE) return false;
  if (schema[1] !== ListFunctionsResponse$[1] || schema[2] !== ListFunctionsResponse$[2]) return false;
  listFunctionsPageIsPlainJson ??= decodesAsParsed(ListFunctionsResponse$);
  return listFunctionsPageIsPlainJson;
}

/** A page read with JSON.parse alone; undefined when the body is not the object a page is. */
function parsePage(data: unknown): Record<string, unknown> | undefined {
  let text: string;
  if (typeof data === 'string') text = data;
  else if (data instanceof Uint8Array)
    text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString();
  else return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const { Functions, NextMarker } = parsed as Record<string, unknown>;
  if (Functions != null && !Array.isArray(Functions)) return undefined;
  if (NextMarker != null && typeof NextMarker !== 'string') return undefined;
  // the page's own members as the SDK gives them: the modelled ones that are not null
  const page: Record<string, unknown> = {};
  if (Functions != null) page.Functions = Functions;
  if (NextMarker != null) page.NextMarker = NextMarker;
  return page;
}

class PageDeserializer implements ShapeDeserializer {
  constructor(private readonly sdk: ShapeDeserializer) {}

  read(schema: unknown, data: unknown): unknown {
    // anything unexpected is left to the SDK, which decodes it or says what is wrong with it
    return (isListFunctionsBody(schema) && parsePage(data)) || this.sdk.read(schema, data);
  }

  readObject(schema: unknown, data: unknown): unknown {
    if (!this.sdk.readObject) throw new TypeError('the SDK deserializer has no readObject');
    return this.sdk.readObject(schema, data);
  }

  setSerdeContext(context: unknown): void {
    this.sdk.setSerdeContext(context);
  }
}

/**
 * A client's codec: the SDK's `sdk` codec (shared, used only to create serializers and deserializers,
 * whose context is set here) with the lighter page decoding. One per client, as the SDK's own is.
 */
export class ListFunctionsCodec implements JsonCodec {
  private context: unknown;

  constructor(private readonly sdk: JsonCodec) {}

  createSerializer(): SerdeAware {
    const serializer = this.sdk.createSerializer();
    serializer.setSerdeContext(this.context);
    return serializer;
  }

  createDeserializer(): ShapeDeserializer {
    const deserializer = new PageDeserializer(this.sdk.createDeserializer());
    deserializer.setSerdeContext(this.context);
    return deserializer;
  }

  setSerdeContext(context: unknown): void {
    this.context = context;
  }
}
