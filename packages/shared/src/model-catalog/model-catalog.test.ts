import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  compareModelNames,
  FALLBACK_STYLES,
  forwardMacs,
  MODEL_CATALOG,
  MODEL_NAMES,
  ModelName,
  modelCatalogSummary,
  modelLayers,
  modelStyle,
  parameterCount,
} from './model-catalog.ts';

test('parameter counts match the reference models', () => {
  assert.equal(parameterCount('resnet'), 221_810);
  assert.equal(parameterCount('plain'), 221_810);
  assert.equal(parameterCount('cnn'), 823_746);
});

test('forward MACs per image, as in the README tables', () => {
  assert.equal(forwardMacs('resnet'), 5_851_825);
  assert.equal(forwardMacs('plain'), 5_851_825);
  assert.equal(forwardMacs('cnn'), 48_501_376);
});

test('the catalog order is the report order and the API enum; unknown names sort after, by name', () => {
  assert.deepEqual(MODEL_NAMES, ['cnn', 'resnet', 'plain']);
  assert.deepEqual(ModelName.options, MODEL_NAMES);
  assert.equal(ModelName.safeParse('vgg').success, false);
  assert.deepEqual(['vgg', 'plain', 'alexnet', 'cnn', 'resnet'].sort(compareModelNames), [
    'cnn',
    'resnet',
    'plain',
    'alexnet',
    'vgg',
  ]);
  assert.throws(() => modelLayers('vgg' as ModelName), /unknown model "vgg"; known: cnn, resnet, plain/);
});

test('every model has its own chart style; names outside the catalog get fallbacks by position', () => {
  const styles = MODEL_NAMES.map((m) => modelStyle(m));
  assert.equal(new Set(styles.map((s) => s.color)).size, MODEL_NAMES.length);
  assert.equal(new Set(styles.map((s) => s.dash)).size, MODEL_NAMES.length);
  assert.deepEqual(modelStyle('vgg', 0), FALLBACK_STYLES[0]);
  assert.deepEqual(modelStyle('vgg', FALLBACK_STYLES.length + 1), FALLBACK_STYLES[1]);
  for (const { color } of [...styles, ...FALLBACK_STYLES]) {
    assert.ok(contrastOnWhite(color) >= 4.5, `${color} has contrast ${contrastOnWhite(color).toFixed(2)}`);
  }
});

test('the summary served to the dashboard carries the derived numbers', () => {
  const summary = modelCatalogSummary();
  assert.deepEqual(
    summary.map((m) => [m.name, m.parameters, m.forward_macs]),
    [
      ['cnn', 823_746, 48_501_376],
      ['resnet', 221_810, 5_851_825],
      ['plain', 221_810, 5_851_825],
    ],
  );
  assert.equal(summary[0]!.description, MODEL_CATALOG.cnn.description);
});

/** WCAG relative-luminance contrast of a #rrggbb colour against white. */
function contrastOnWhite(hex: string): number {
  const channel = (i: number) => {
    const c = Number.parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
  return 1.05 / (luminance + 0.05);
}
