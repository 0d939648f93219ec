/**
 * Values from the JSON Schemas of `/openapi.json` as fast-check arbitraries: `$ref`, `allOf`,
 * `anyOf`/`oneOf`, type lists, enums, patterns, `date-time`, bounds, objects (required and
 * optional properties) and arrays. Field names listed in the hints draw from known values (ids of
 * fixture jobs, registered function names...) half of the time, so requests reach the handlers'
 * success paths, not only their refusals.
 *
 * @module
 */
import fc from "fast-check";

/** A JSON Schema as `/openapi.json` has them (the parts the fuzz reads). */
export type Schema = Record<string, unknown>;

/** The OpenAPI document: its components resolve `$ref`s. */
export interface Doc {
  /** `#/components/schemas/<name>`. */
  components?: { schemas?: Record<string, Schema> };
  /** Operations by path and method. */
  paths: Record<string, Record<string, Operation>>;
}

/** One OpenAPI operation (the parts the fuzz reads). */
export interface Operation {
  /** Path, query and header parameters. */
  parameters?: { name: string; in: string; required?: boolean; schema: Schema }[];
  /** The JSON request body. */
  requestBody?: { required?: boolean; content: { "application/json"?: { schema: Schema } } };
  /** Required scopes. */
  security?: { bearer: string[] }[];
}

/** Values a field of this name takes half of the time; bounds capping numeric fields. */
export interface Hints {
  /** Known values by field or parameter name (`id`, `job`, `queue`, `name`...). */
  values: Record<string, readonly unknown[]>;
  /** Largest value of numeric fields by name (e.g. `wait`: no request is held for a minute). */
  caps: Record<string, number>;
}

/** Resolves a `$ref` of `doc`; other schemas are returned as they are. */
export function resolve(doc: Doc, schema: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== "string") return schema;
  const name = ref.replace("#/components/schemas/", "");
  const found = doc.components?.schemas?.[name];
  if (!found) throw new Error(`unresolved $ref ${ref}`);
  return resolve(doc, found);
}

const json: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3 });

function num(schema: Schema, key: string): number | undefined {
  const value = schema[key];
  return typeof value === "number" ? value : undefined;
}

function stringArb(schema: Schema): fc.Arbitrary<string> {
  if (schema.format === "date-time") {
    return fc.date({ min: new Date(0), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true })
      .map((d) => d.toISOString());
  }
  if (typeof schema.pattern === "string") return fc.stringMatching(new RegExp(schema.pattern));
  const minLength = num(schema, "minLength") ?? 0;
  const maxLength = Math.min(num(schema, "maxLength") ?? 40, minLength + 40);
  return fc.string({ minLength, maxLength, unit: "grapheme" });
}

function numberArb(
  schema: Schema,
  integer: boolean,
  cap: number | undefined,
): fc.Arbitrary<number> {
  const min = num(schema, "minimum") ?? -1e9;
  const max = Math.min(num(schema, "maximum") ?? 1e12, cap ?? Infinity);
  if (integer) return fc.integer({ min: Math.ceil(min), max: Math.floor(Math.max(min, max)) });
  return fc.double({ min, max: Math.max(min, max), noNaN: true, noDefaultInfinity: true });
}

function objectArb(doc: Doc, schema: Schema, hints: Hints): fc.Arbitrary<unknown> {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required ?? []) as string[]);
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, property] of Object.entries(properties)) {
    shape[name] = valueArb(doc, property, hints, name);
  }
  if (Object.keys(shape).length === 0) {
    return schema.additionalProperties === false ? fc.constant({}) : fc.dictionary(
      fc.string({ maxLength: 8 }),
      json,
      { maxKeys: 4 },
    );
  }
  return fc.record(shape, { requiredKeys: [...required].filter((k) => k in shape) });
}

function typedArb(
  doc: Doc,
  schema: Schema,
  type: string,
  hints: Hints,
  field: string | undefined,
): fc.Arbitrary<unknown> {
  const cap = field === undefined ? undefined : hints.caps[field];
  switch (type) {
    case "string":
      return stringArb(schema);
    case "integer":
      return numberArb(schema, true, cap);
    case "number":
      return numberArb(schema, false, cap);
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array": {
      const items = (schema.items ?? {}) as Schema;
      const minLength = num(schema, "minItems") ?? 0;
      const maxLength = Math.min(num(schema, "maxItems") ?? 5, minLength + 4);
      return fc.array(valueArb(doc, items, hints, field), { minLength, maxLength });
    }
    case "object":
      return objectArb(doc, schema, hints);
    default:
      return json;
  }
}

/** A schema-valid value of `schema`; `field` is the name it is held under (for hints). */
export function valueArb(
  doc: Doc,
  raw: Schema,
  hints: Hints,
  field?: string,
): fc.Arbitrary<unknown> {
  const schema = resolve(doc, raw);
  const own = ownArb(doc, schema, hints, field);
  const known = field === undefined ? undefined : hints.values[field];
  return known && known.length > 0 ? fc.oneof(fc.constantFrom(...known), own) : own;
}

function ownArb(
  doc: Doc,
  schema: Schema,
  hints: Hints,
  field: string | undefined,
): fc.Arbitrary<unknown> {
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
  if ("const" in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.allOf)) {
    const parts = (schema.allOf as Schema[]).map((part) => valueArb(doc, part, hints, field));
    return fc.tuple(...parts).map((values) =>
      Object.assign({}, ...values.filter((v) => typeof v === "object" && v !== null))
    );
  }
  const union = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (Array.isArray(union)) return fc.oneof(...union.map((s) => valueArb(doc, s, hints, field)));
  const types = Array.isArray(schema.type) ? schema.type as string[] : [schema.type as string];
  if (types[0] === undefined) return json;
  return fc.oneof(...types.map((type) => typedArb(doc, schema, type, hints, field)));
}
