import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadProject } from "../compile/compile.js";
import { writeProject } from "../testing/project-fixture.js";

/** Issue 12, defect 9: symlinked model files and folders were silently ignored. */
describe("symlinks under the resource paths", () => {
  it("a symlinked model file and a symlinked folder are read like any other", () => {
    const dir = writeProject({ "models/a.sql": "select 1 as id" });
    const shared = join(dir, "..", `${dir.split("/").pop()}-shared`);
    mkdirSync(join(shared, "marts"), { recursive: true });
    writeFileSync(join(shared, "b.sql"), 'select * from {{ref "a"}}');
    writeFileSync(join(shared, "marts", "c.sql"), 'select * from {{ref "b"}}');
    symlinkSync(join(shared, "b.sql"), join(dir, "models", "b.sql"));
    symlinkSync(join(shared, "marts"), join(dir, "models", "marts"));
    const project = loadProject({ projectDir: dir, env: {} });
    expect(Object.keys(project.manifest.nodes).sort()).toEqual([
      "model.shop.a",
      "model.shop.b",
      "model.shop.c",
    ]);
    // The path is the one inside the project, through the link.
    expect(project.manifest.nodes["model.shop.c"]?.original_file_path).toBe("models/marts/c.sql");
    expect(project.warnings).toEqual([]);
  });

  it("a symlink loop is skipped with a warning, not followed forever", () => {
    const dir = writeProject({ "models/a.sql": "select 1 as id", "models/sub/b.sql": "select 2 as id" });
    symlinkSync(join(dir, "models"), join(dir, "models", "sub", "back"));
    const project = loadProject({ projectDir: dir, env: {} });
    expect(Object.keys(project.manifest.nodes).sort()).toEqual(["model.shop.a", "model.shop.b"]);
    expect(project.warnings.join("\n")).toContain("models/sub/back is a symlink to");
    expect(project.warnings.join("\n")).toContain("(a loop); it was skipped.");
  });

  it("two folders linking to each other end, each walked once per path", () => {
    const dir = writeProject({ "models/x/a.sql": "select 1 as id", "models/y/b.sql": "select 2 as id" });
    symlinkSync(join(dir, "models", "y"), join(dir, "models", "x", "to_y"));
    symlinkSync(join(dir, "models", "x"), join(dir, "models", "y", "to_x"));
    // x/to_y/b.sql and y/b.sql are the same model twice: the duplicate-name check names both paths.
    expect(() => loadProject({ projectDir: dir, env: {} })).toThrow(
      "two resources are named 'b': models/x/to_y/b.sql and models/y/b.sql",
    );
  });

  it("a dangling symlink is skipped with a warning naming it", () => {
    const dir = writeProject({ "models/a.sql": "select 1 as id" });
    symlinkSync(join(dir, "nowhere.sql"), join(dir, "models", "gone.sql"));
    symlinkSync(join(dir, "models", "self.sql"), join(dir, "models", "self.sql"));
    const project = loadProject({ projectDir: dir, env: {} });
    expect(Object.keys(project.manifest.nodes)).toEqual(["model.shop.a"]);
    expect(project.warnings).toContain(
      `models/gone.sql is a symlink to a path that does not exist (${join(dir, "nowhere.sql")}); it was skipped.`,
    );
    expect(project.warnings.join("\n")).toContain("models/self.sql is a symlink to a chain of links");
  });
});
