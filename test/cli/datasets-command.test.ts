import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/cli.ts';
import { SHAPE_CLASSES, tempDir, writeIdxSet, writePictureFolder } from '../helpers/datasets.ts';

const store = () => path.join(tempDir('datasets-cli'), 'runs.sqlite');

async function registeredNames(db: string): Promise<string[]> {
  const listed = await runCliCaptured(['datasets', '--json', '--db', db]);
  return (listed.lastJson().datasets as { name: string }[]).map((d) => d.name);
}

describe('digitlab datasets', () => {
  it('lists mnist and fashion-mnist with their classes, splits, balance and file hashes', async () => {
    const listed = await runCliCaptured(['datasets', '--json', '--db', store()]);
    expect(listed.code).toBe(0);
    const [mnist, fashion] = listed.lastJson().datasets;
    expect(mnist).toMatchObject({ name: 'mnist', builtIn: true, default: true, kind: 'idx', classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], imageSize: { rows: 28, cols: 28 } });
    expect(mnist.splits.train.count).toBe(60000);
    expect(mnist.splits.test.classCounts[7]).toBe(1028);
    expect(mnist.files).toContainEqual({ path: 't10k-labels-idx1-ubyte', sha256: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2' });
    expect(fashion).toMatchObject({ name: 'fashion-mnist', path: '/usr/share/datasets/fashion-mnist', problem: null });
    expect(fashion.classes).toContain('Ankle boot');
    expect(fashion.splits.test.classCounts).toEqual(new Array(10).fill(1000));
    expect(fashion.files).toHaveLength(4);
  });

  it('registers a picture folder of 4 classes and an IDX directory, then lists them', async () => {
    const db = store();
    const pictures = writePictureFolder(tempDir('cli-pictures'), 4);
    const added = await runCliCaptured(['datasets', 'add', 'shapes', pictures, '--db', db]);
    expect(added.code).toBe(0);
    expect(added.stderr).toMatch(/registered 'shapes' in \d+\.\d s/);
    expect(added.stdout).toMatch(/shapes \(registered .*\): picture folder in /);
    expect(added.stdout).toMatch(/4 classes; train 16, test 8/);
    expect(added.stdout).toMatch(/^ {2}diagonal +4 +25\.0% +2 +25\.0%$/m);
    expect(added.stdout).toMatch(/and 16 more \(--json lists every one\)/);

    const idx = writeIdxSet(tempDir('cli-idx'), { gzip: true, classes: ['n', 'e', 's', 'w'] });
    const json = await runCliCaptured(['datasets', 'add', 'compass', idx, '--db', db, '--json']);
    expect(json.code).toBe(0);
    expect(json.lastJson().registered).toMatchObject({ name: 'compass', kind: 'idx', classes: ['n', 'e', 's', 'w'], splits: { train: { count: 12 }, test: { count: 8 } } });

    const listed = (await runCliCaptured(['datasets', '--json', '--db', db])).lastJson().datasets;
    expect(listed.map((d: { name: string }) => d.name)).toEqual(['mnist', 'fashion-mnist', 'compass', 'shapes']);
    const shapes = listed[3];
    expect(shapes).toMatchObject({ kind: 'images', builtIn: false, path: pictures, classes: SHAPE_CLASSES });
    expect(shapes.files).toHaveLength(24);
    expect(shapes.files).toContainEqual({ path: 'train/box/1.jpg', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });

    // An IDX directory is read on every load, so the list says when its files are gone; the pictures are in the store.
    rmSync(path.join(idx, 't10k-labels-idx1-ubyte.gz'));
    rmSync(pictures, { recursive: true });
    const later = await runCliCaptured(['datasets', '--db', db]);
    expect(later.stdout).toMatch(/^compass .*\n {2}not readable now: compass file missing: .*t10k-labels-idx1-ubyte \(plain or .gz\)$/m);
    expect(later.stdout).not.toMatch(/^shapes .*\n {2}not readable/m);
  });

  it('says how to use it on a wrong action', async () => {
    const wrong = await runCliCaptured(['datasets', 'remove', 'x', '--db', store()]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/datasets takes no arguments \(list\) or add NAME PATH/);
    const help = await runCliCaptured(['datasets', '--help']);
    expect(help.stdout).toMatch(/usage: digitlab datasets \[add\] \[NAME\] \[PATH\] \[options\]/);
  });
});

describe('digitlab datasets add, refusing a bad dataset', () => {
  const picturesWith = (change: (dir: string) => void) => {
    const dir = writePictureFolder(tempDir('cli-bad-pictures'), 2);
    change(dir);
    return dir;
  };
  const cases: [string, () => string, RegExp][] = [
    ['mismatched counts', () => writeIdxSet(tempDir('cli-bad'), { mutate: (n, b) => (n === 'train-labels-idx1-ubyte' ? shorter(b) : b) }), /train: 12 images but 11 labels \(.*train-images-idx3-ubyte, .*train-labels-idx1-ubyte\)/],
    ['a label out of range', () => writeIdxSet(tempDir('cli-bad'), { classes: ['a', 'b', 'c'] }), /train-labels-idx1-ubyte: label 3 at index 3 is out of range for 3 classes/],
    ['an unreadable picture', () => picturesWith((d) => writeFileSync(path.join(d, 'test', 'bar', 'x.jpg'), 'not a jpeg')), /test\/bar\/x.jpg: not a PNG or JPEG image/],
    ['an empty class', () => picturesWith((d) => ['0.png', '1.jpg'].forEach((f) => rmSync(path.join(d, 'train', 'box', f)))), /train\/box: class 'box' has no pictures/],
    ['one split only (pictures)', () => picturesWith((d) => rmSync(path.join(d, 'train'), { recursive: true })), /only the test split is there/],
    ['one split only (IDX)', () => writeIdxSet(tempDir('cli-bad'), { omit: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'] }), /only the test split is there/],
    ['too few classes', () => writeIdxSet(tempDir('cli-bad'), { classes: ['only'], train: [0], test: [0] }), /classes.txt: 1 class; a dataset has from 2 to 100/],
    ['too many classes', () => writeIdxSet(tempDir('cli-bad'), { classes: Array.from({ length: 101 }, (_, i) => `c${i}`) }), /classes.txt: 101 classes; a dataset has from 2 to 100/],
    ['neither IDX files nor pictures', () => tempDir('cli-bad-empty'), /no IDX files .* and no train\/ and test\/ picture folders/],
  ];

  it.each(cases)('exits 2 on %s, naming the file, and registers nothing', async (_case, make, message) => {
    const db = store();
    const result = await runCliCaptured(['datasets', 'add', 'bad', make(), '--db', db]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(await registeredNames(db)).toEqual(['mnist', 'fashion-mnist']);
  });

  it('exits 2 on a name taken, a built-in name and an invalid name', async () => {
    const db = store();
    const idx = writeIdxSet(tempDir('cli-names'));
    expect((await runCliCaptured(['datasets', 'add', 'four', idx, '--db', db])).code).toBe(0);
    for (const [name, message] of [
      ['four', /a dataset named 'four' is registered already/],
      ['fashion-mnist', /'fashion-mnist' is a built-in dataset's name/],
      ['Bad Name', /'Bad Name' is not a dataset name/],
    ] as const) {
      const result = await runCliCaptured(['datasets', 'add', name, idx, '--db', db]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    expect(await registeredNames(db)).toEqual(['mnist', 'fashion-mnist', 'four']);
  });
});

function shorter(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes.subarray(0, bytes.length - 1));
  copy.writeUInt32BE(bytes.readUInt32BE(4) - 1, 4);
  return copy;
}
