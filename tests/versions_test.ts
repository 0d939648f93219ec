import assert from "node:assert/strict";
import { PayloadMigrationError } from "../mod.ts";
import { checkVersioning, migratePayload } from "../src/registry/versions.ts";

Deno.test("versions: migrations run one step at a time, async ones too", async () => {
  const versioning = checkVersioning(3, {
    1: (p: { n: number }) => ({ count: p.n }),
    2: async (p: { count: number }) => await Promise.resolve({ ...p, unit: "items" }),
  }, "test");
  assert.deepEqual(await migratePayload("f", { n: 2 }, 1, versioning), { count: 2, unit: "items" });
  assert.deepEqual(await migratePayload("f", { count: 5 }, 2, versioning), {
    count: 5,
    unit: "items",
  });
  const current = { count: 1, unit: "kg" };
  assert.equal(await migratePayload("f", current, 3, versioning), current);
});

Deno.test("versions: old migrations may be dropped; jobs that old then fail clearly", async () => {
  const versioning = checkVersioning(3, { 2: (p: unknown) => p }, "test");
  await assert.rejects(migratePayload("f", {}, 1, versioning), (error: unknown) => {
    assert.ok(error instanceof PayloadMigrationError);
    assert.match(error.message, /"f": payload version 1 has no migration path to v3/);
    return true;
  });
});
