import { biomeRecipe } from "./biome.ts";
import { eslintRecipe } from "./eslint.ts";
import { npmLockfileRecipe } from "./npm-lockfile.ts";
import { prettierRecipe } from "./prettier.ts";
import type { Recipe } from "./recipe.ts";

/**
 * The recipes tried, in order; the first that matches is the one run. A new
 * recipe is a new file exporting a `Recipe`, plus its line here. Specific
 * signatures first: none of these outputs can be mistaken for another's.
 */
export const DEFAULT_RECIPES: readonly Recipe[] = [npmLockfileRecipe, prettierRecipe, eslintRecipe, biomeRecipe];
