/** Folders where model files usually already are, for "Find models on this computer…". */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AdoptFolderSuggestion } from '../../../shared/results';

export function suggestAdoptFolders(
  env: Record<string, string | undefined> = process.env,
  home: string = os.homedir(),
): AdoptFolderSuggestion[] {
  const hfCache = env.HF_HUB_CACHE || (env.HF_HOME ? path.join(env.HF_HOME, 'hub') : path.join(home, '.cache', 'huggingface', 'hub'));
  const candidates: Array<[string, string[]]> = [
    ['Hugging Face cache', [hfCache]],
    [
      'ComfyUI models',
      [
        path.join(home, 'ComfyUI', 'models'),
        path.join(home, 'comfy', 'ComfyUI', 'models'),
        path.join(home, 'Documents', 'ComfyUI', 'models'),
      ],
    ],
    ['LM Studio models', [path.join(home, '.lmstudio', 'models'), path.join(home, '.cache', 'lm-studio', 'models')]],
    ['Ollama blobs', [env.OLLAMA_MODELS ? path.join(env.OLLAMA_MODELS, 'blobs') : path.join(home, '.ollama', 'models', 'blobs')]],
    ['Downloads', [path.join(home, 'Downloads')]],
  ];
  return candidates.map(([label, paths]) => {
    const found = paths.find((p) => existsSync(p));
    return { path: found ?? (paths[0] as string), label, exists: found !== undefined };
  });
}
