export * from './cnn-spec.ts';
export * from './layer-spec.ts';
export * from './model-catalog.ts';
export * from './resnet-spec.ts';
