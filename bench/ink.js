// The inkjs side of bench/run: the same synthetic story, compiled by inkjs's
// own compiler and played by its runtime.
//
//   node ink.js MODULES compile STORY.ink STORY.json
//       Compiles with inkjs/full's Compiler; prints "compile_ms X".
//   node ink.js MODULES play STORY.json RUNS REPS
//       Loads the compiled story (read the file, new Story(json)) REPS + 1
//       times and plays RUNS random playthroughs REPS + 1 times; the first
//       of each is a warm-up (reported as cold_load_ms), the figures are
//       medians of the rest. Prints "cold_load_ms A load_ms B
//       playthroughs_per_s C steps_per_playthrough D".
//
// MODULES is the node_modules directory that bench/run installed inkjs into.
// Choices are drawn exactly as iwm's explore_random draws them: splitmix64
// seeded with 1, one draw per playthrough for the game's seed, then one
// draw per step, the choice taken being draw % (number of choices shown),
// uniform among the available choices. The generated story has no choice
// that is shown but disabled, so when the two engines run the same story
// they take the same walks, step for step; steps_per_playthrough equal to
// iwm's is the check that the ink file is the same story.
'use strict';
const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const [modules, cmd, ...args] = process.argv.slice(2);
const inkjs = createRequire(path.join(path.resolve(modules), 'x.js'))('inkjs/full');

const now = () => Number(process.hrtime.bigint()) / 1e6;
const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

const M64 = (1n << 64n) - 1n;
function splitmix(state) {
  state.s = (state.s + 0x9e3779b97f4a7c15n) & M64;
  let z = state.s;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
  return z ^ (z >> 31n);
}

if (cmd === 'compile') {
  const [src, out] = args;
  const text = fs.readFileSync(src, 'utf8');
  const t0 = now();
  const compiler = new inkjs.Compiler(text);
  const story = compiler.Compile();
  const json = story.ToJson();
  const t1 = now();
  if (compiler.errors.length) {
    console.error(compiler.errors.join('\n'));
    process.exit(1);
  }
  fs.writeFileSync(out, json);
  console.log(`compile_ms ${(t1 - t0).toFixed(1)}`);
} else if (cmd === 'play') {
  const [file, runsArg, repsArg] = args;
  const runs = Number(runsArg), reps = Number(repsArg);
  const loads = [];
  let story = null;
  for (let i = 0; i <= reps; i++) {
    const t0 = now();
    story = new inkjs.Story(fs.readFileSync(file, 'utf8'));
    loads.push(now() - t0);
  }
  const rates = [];
  let steps = 0;
  for (let i = 0; i <= reps; i++) {
    const rng = { s: 1n };
    steps = 0;
    const t0 = now();
    for (let r = 0; r < runs; r++) {
      story.ResetState();
      splitmix(rng); // the game's own seed (no random options here)
      for (;;) {
        while (story.canContinue) story.Continue();
        const n = story.currentChoices.length;
        if (n === 0) break;
        story.ChooseChoiceIndex(Number(splitmix(rng) % BigInt(n)));
        steps++;
      }
    }
    rates.push((runs * 1e3) / (now() - t0));
  }
  const cold = loads.shift();
  rates.shift();
  console.log(`cold_load_ms ${cold.toFixed(1)} load_ms ${median(loads).toFixed(1)} ` +
    `playthroughs_per_s ${median(rates).toFixed(0)} steps_per_playthrough ${(steps / runs).toFixed(2)}`);
} else {
  console.error('usage: node ink.js MODULES compile STORY.ink STORY.json | play STORY.json RUNS REPS');
  process.exit(2);
}
