/** API path of a run's weights download (`format` safetensors or json). */
export function weightsUrl(runId: string, kind: string, format = 'safetensors'): string {
  return `/v1/runs/${runId}/weights?kind=${kind}&format=${format}`;
}
