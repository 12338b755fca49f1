import { unsupportedEcosystem } from "./unsupported.ts";

/** Python (GitHub's `pip` ecosystem): recognised, not supported yet. */
export const pip = unsupportedEcosystem("pip", "Python", "requirements.txt, Pipfile.lock, poetry.lock, uv.lock");
