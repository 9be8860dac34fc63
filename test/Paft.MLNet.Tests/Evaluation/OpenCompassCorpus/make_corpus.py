#!/usr/bin/env python3
"""Writes corpus.jsonl: generated-answer strings with the letter OpenCompass's first_option_postprocess reads.

Usage: python3 make_corpus.py OPENCOMPASS_CHECKOUT [--out corpus.jsonl]

OPENCOMPASS_CHECKOUT is a checkout of open-compass/opencompass at commit 98242ff1 (see README.md). The function is
loaded from that checkout's opencompass/utils/text_postprocessors.py and run on every string; nothing of it is
copied here. That module imports only `re`, `typing` and `opencompass.registry.TEXT_POSTPROCESSORS` (a decorator
registry), so the registry is stubbed with a no-op decorator and nothing else of OpenCompass is needed.

Each output line: {"text", "options", "expected", "expectedNoCushion", "kind"}; expected* is the letter the function
returns with cushion=True / cushion=False, or null where it returns ''. The strings are deterministic (fixed seeds).
"""
import argparse
import importlib.util
import json
import random
import subprocess
import sys
import types
from pathlib import Path

UPSTREAM_COMMIT = '98242ff1d1387e941154a2b7af8ca88c7ebb8e34'
MODULE_PATH = 'opencompass/utils/text_postprocessors.py'


def load_upstream(checkout: Path):
    """first_option_postprocess from the checkout's own source file, with the registry import stubbed."""
    head = subprocess.run(['git', '-C', str(checkout), 'rev-parse', 'HEAD'], capture_output=True, text=True, check=True).stdout.strip()
    if head != UPSTREAM_COMMIT:
        sys.exit(f'{checkout}: HEAD is {head}; check out {UPSTREAM_COMMIT} (the corpus names that commit).')

    class Registry:
        def register_module(self, *args, **kwargs):
            return lambda f: f

    registry = types.ModuleType('opencompass.registry')
    registry.TEXT_POSTPROCESSORS = Registry()
    package = types.ModuleType('opencompass')
    package.__path__ = []
    package.registry = registry
    sys.modules.setdefault('opencompass', package)
    sys.modules['opencompass.registry'] = registry
    spec = importlib.util.spec_from_file_location('upstream_text_postprocessors', checkout / MODULE_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.first_option_postprocess


# ---------------------------------------------------------------------------------------------------------------
# Realistic answers: what base, chat and reasoning models write after "Answer:". {L} is the correct letter, {W} a
# wrong one, {T} an option's text.
REALISTIC = [
    '{L}', ' {L}', '{L}.', ' {L}.', '{L})', '({L})', '{L}\n', ' {L}\n\nQuestion:', '{L}. {T}', ' {L}) {T}', '{L}: {T}',
    '{L}\nExplanation: {T}.', '{L}</s>', '{L}.\n\n', '**{L}**', '**{L}.** {T}', '**{L}) {T}**',
    'Answer: {L}', 'Answer: {L}) {T}', 'Answer: {L}. {T}', 'answer: {L}', 'ANSWER: {L}', 'Answer:{L}', 'Answer : {L}',
    'Final answer: {L}', 'Final Answer: **{L}**', '### Answer: {L}',
    'The answer is {L}.', 'The answer is {L}', 'the answer is {L}', 'The answer is ({L}).', 'The answer is: {L}',
    'The answer is: ({L}) {T}', 'The answer is **{L}**.', 'The answer is option {L}.', 'The answer is option ({L}).',
    'The correct answer is {L}.', 'The correct answer is ({L}) {T}.', 'The correct answer is: {L}',
    'The correct answer is option {L}: {T}', 'The correct answer is **{L}**', 'The correct answer is $\\boxed{{{L}}}$.',
    'The correct option is $\\boxed{{{L}}}$', 'The correct answer option is \\boxed{{{L}}}.',
    'The answer to the question is {L}.', 'The answer to the question is ({L}).',
    '{L} is correct.', '{L} is the correct answer.', '{L} is the most plausible ending.', 'I think {L} is right.',
    'I would choose {L}.', "I'd go with {L}: {T}.", 'My answer: {L}', 'Option {L}', 'Option {L} is correct.',
    'option ({L})', '({L}) {T}', 'Choice {L}', 'The best option is {L}.', 'It must be {L}.',
    '{W} is wrong. The answer is ({L}).', '{W} is wrong. The answer is {L}.', 'Option {W} is wrong, so {L}.\n\n',
    'Not {W}. Answer: {L}', 'Between {W} and {L}, {L} fits better.', 'Based on the context, {L} is correct.',
    'Because {T}, the answer is {L}.', 'Let me think. {T}. So the answer is {L}.',
    'Let\'s think step by step.\n1. {T}\n2. {T}\nTherefore, the answer is {L}.',
    'Step 1: read the question.\nStep 2: {T}.\nThe correct answer is: **{L}**',
    '<think>{T}</think>\nAnswer: {L}', 'Reasoning: {T}\nAnswer: ({L})',
    '1. {L}', '1.{L}', '1. {L}.', '1) {L}', 'Answer:\n1. {L}',
    '答案是{L}', '答案是 {L}', '答案：{L}', '答案: {L}', '答案是：{L}', '答案为{L}。', '答案选{L}', '答案应该是 {L}',
    '答案应该选{L}', '答案选项是 {L}', '答案选项为：{L}', '答案选项 ({L})', '答案选项 **{L}**', '答案选项: {L}',
    '故选{L}', '故选 {L}。', '所以{L}。', '因此{L}', '显然{L}。', '选项{L}正确', '{L}是正确的', '{L} 是正确答案',
    '我选择{L}', '选{L}', '只有{L}是对的', '正确答案是 ({L})', '综上，{L}', '所以答{L}',
    '', ' ', 'I don\'t know.', 'None of the options.', 'Both are plausible.', 'The question is ambiguous.',
    '{T}', 'It depends on {T}.',
]

OPTION_TEXTS = [
    'the man puts on his shoes', 'she opens the window', 'pour the water into the glass', 'Use a spoon',
    'Heat the pan first', 'because it is raining', 'Dana goes to the store', 'Carl calls Ben', 'a bird flies away',
    'Build a fire', 'cut the bread with a knife', 'Ask Emma about it', 'the dog barks at the mailman',
    'wrap it in a towel', 'Bring a coat', 'the cake is baked in an oven',
]

# Strings aimed at each change between the January 2024 function (32f40a8f) and 98242ff1.
TARGETED = [
    # (?i)ANSWER\s*:\s*X: the old function found the capital of "Answer" first.
    'Answer: {L}) the man puts on his shoes', 'ANSWER:{L}', 'answer :\t{L}', 'Answer:\n{L}', 'ANSWER : {l}',
    'The final answer: {L}', 'answer:  {L} because', 'AnSwEr: {L}', 'Answer {L}', 'Answer: ({L})',
    'ANſWER: {L}', 'anſwer: {L}', 'answer: {l}',
    # Answer phrases followed by (X), **X**, option (X), \boxed{X}.
    'D is wrong. The answer is ({L}).', 'C is wrong. The answer is **{L}**.', 'The answer is:  ({L}',
    'The answer is option ({L})', 'The answer is option: {L}', 'The correct answer is option ({L}).',
    'The correct answer is:\n({L})', 'The correct answer is \\boxed{{{L}}}', 'The correct answer is: $\\boxed{{{L}}}$',
    'The correct answer is clearly, after much thought, \\boxed{{{L}}}', 'The correct option is \\boxed{{{L}}}',
    'The correct answer option is: \\boxed{{{L}}}', 'The answer to the question is: ({L})', 'the answer is **{L}**',
    'The answer is ** {L} **', 'The answer is ({L}', 'The answer is {L})', 'The answer is\n{L}',
    'The answer is\x1c{L}', 'The answer is\u3000{L}', 'The answer is\u00a0({L})',
    # strip: trailing whitespace made the old "$" patterns fail.
    'Option {W} is wrong, so {L}.\n\n', 'so {L}.\n\n\n', '  {L}  ', '\n\n{L}\n\n', 'Therefore {L}. \t',
    '\x1c{L}\x1f', '\u2003{L}\u2003', '\x85{L}\x85', ' ,{L}\n', 'Hence, {L}\r\n',
    # First capture group instead of the whole match.
    'Based on the context, {L} is correct.', 'Clearly {L} is correct.', 'Only {L} is correct here.', 'Then {L} wins.',
    'Deciding: {L} is best.', 'Because of this, {L} fits.', 'Bob and Alice: {L}', 'Answer is {L}.',
    # Chinese patterns: \s? became \s*, new 答案选项 patterns, 故选 joined to the next pattern by a missing comma.
    '答案是  {L}', '答案是：  {L}', '答案 :  {L}', '答案选项应该是  {L}', '答案选项为  ({L})', '答案选项  **{L}**',
    '答案选项是:{L}', '答案为   {L}', '答案选   {L}', '选择   {L}', '故选{L}只有{W}是对', '故选 {L} 只有 {W} 是对',
    '故{L}', '故选{L}', '即{L}', '，故{L}。', '因此 {L}', '所以答  {L}', '答案选项应是{L}', '答案选项该为{L}',
    '答案是\x1d{L}', '答案\u2028是{L}', '答案是\n\n{L}',
    # "1." patterns moved to the end.
    '1. {L}', '1.{L}', '1x{L}', '1.\n{L}', 'Step 1: {L}', '1. None', '1.  {l}', '1. {T}', 'Question 1. {L} is right',
    # Python's \s includes U+001C..U+001F; .NET's does not.
    '\x1c{L}\x1c', 'so\x1d{L}', 'Pick\x1e{L}\x1e.', 'x\x1f{L}', '\x1c\x1d\x1e\x1f{L}', 'Answer\x1f:\x1e{L}',
]

# Fragments for fuzz: words with and without option letters, answer phrases, punctuation, control characters,
# Unicode whitespace (Python's \s set and some lookalikes it excludes), case-folding specials, astral characters.
FUZZ_FRAGMENTS = [
    'A', 'B', 'C', 'D', 'E', 'a', 'b', 'c', 'd', '(', ')', '[', ']', '{', '}', '*', '**', '.', '。', '，', ',', ':', '：',
    '$', '\\boxed{', '\\', '1', '1.', '2.', ' ', '  ', '\t', '\n', '\r', '\v', '\f', '\x00', '\x01', '\x07', '\x1b',
    '\x1c', '\x1d', '\x1e', '\x1f', '\x7f', '\x85', '\xa0', '\u1680', '\u2000', '\u2007', '\u200a', '\u200b',
    '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff', '\u180e', '\u0130', '\u0131', '\u017f', '\u212a',
    '\U0001F600', '\U0001D400', 'é', 'Ä', 'answer', 'Answer', 'ANSWER', 'answer:', 'The answer is', 'the answer is',
    'The correct answer is', 'The correct answer is option', 'The answer is option', 'The answer to the question is',
    'The correct option is', 'The correct answer option is', 'option', 'Option', 'is correct', 'Based', 'Because',
    'Clearly', 'Dog', 'Eat', 'cat', 'the', 'so', '答案', '答案是', '答案为', '答案选', '答案选项', '答案应该是', '选项',
    '选择', '选', '故选', '故', '即', '因此', '所以', '所有', '显然', '是', '为', '只有', '是对', '是错', '正确', '错误',
    '是正确的', '是正确答案', '说法不对选项的是', '所以答',
]

OPTION_SETS = ['AB', 'ABCD', 'ABCDE', 'ABC', 'abcd', 'HIJK', 'QRST', '1234']


def realistic(rng):
    for options in ('AB', 'ABCD'):
        for template in REALISTIC:
            letters = list(options) if '{L}' in template else [options[0]]
            for letter in letters:
                wrong = rng.choice([o for o in options if o != letter])
                yield 'realistic', options, template.format(L=letter, W=wrong, T=rng.choice(OPTION_TEXTS), l=letter.lower())


def targeted(rng):
    for options in ('AB', 'ABCD', 'ABCDE', 'abcd', 'HIJK', 'QRST', '1234'):
        for template in TARGETED:
            letter = rng.choice(options)
            wrong = rng.choice([o for o in options if o != letter])
            yield 'targeted', options, template.format(L=letter, W=wrong, T=rng.choice(OPTION_TEXTS), l=letter.lower())
    # Each Python whitespace character, and each character Python's \s excludes though .NET might not, as the only
    # separator (and as padding that strip removes or keeps).
    for code in list(range(0x00, 0x21)) + [0x7f, 0x85, 0xa0, 0x1680, 0x180e, *range(0x2000, 0x200c), 0x2028, 0x2029,
                                            0x202f, 0x205f, 0x3000, 0xfeff]:
        c = chr(code)
        for options in ('AB', 'ABCD'):
            yield 'whitespace', options, f'x{c}B{c}'
            yield 'whitespace', options, f'{c}B{c}'
            yield 'whitespace', options, f'The answer is{c}C'
            yield 'whitespace', options, f'答案是{c}B'
            yield 'whitespace', options, f'Deal{c}C{c}.'
    # Case folding under (?i) and characters outside the BMP.
    for options in ('ABCD', 'HIJK', 'QRST', 'abcd', '1234'):
        for text in ('ANſWER: {o}', 'ANSWER: {lo}', 'answer: {up}', 'Answer: \u0130', 'Answer: \u0131', 'Answer: \u212a',
                     'Answer: \u017f', '1\U0001F600', '1\U0001F600{o}', '1\U0001F600 {o}', '答案是\U0001F600。', '答案是{o}\U0001F600',
                     '\U0001F600{o}\U0001F600', 'The correct answer is \U0001F600 \\boxed{{{o}}}'):
            for o in options:
                yield 'unicode', options, text.format(o=o, lo=o.lower(), up=o.upper())


def fuzz(rng, count):
    for _ in range(count):
        options = rng.choice(OPTION_SETS)
        parts = []
        for _ in range(rng.randint(1, 12)):
            r = rng.random()
            if r < 0.6:
                parts.append(rng.choice(FUZZ_FRAGMENTS))
            elif r < 0.8:
                parts.append(rng.choice(options))
            else:
                parts.append(chr(rng.choice([rng.randint(0x20, 0x7e), rng.randint(0, 0x1f), rng.randint(0xa0, 0x2fff),
                                             rng.randint(0x3000, 0x9fff)])))
        yield 'fuzz', options, ''.join(parts)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('checkout', type=Path, help='an opencompass checkout at ' + UPSTREAM_COMMIT[:8])
    parser.add_argument('--out', type=Path, default=Path(__file__).with_name('corpus.jsonl'))
    args = parser.parse_args()
    first_option_postprocess = load_upstream(args.checkout)

    rng = random.Random(20241118)
    rows = [*realistic(rng), *targeted(rng), *fuzz(rng, 2000)]
    seen = set()
    lines = []
    for kind, options, text in rows:
        if (text, options) in seen:
            continue
        seen.add((text, options))
        with_cushion = first_option_postprocess(text, options) or None
        without = first_option_postprocess(text, options, cushion=False) or None
        lines.append(json.dumps({'text': text, 'options': options, 'expected': with_cushion,
                                 'expectedNoCushion': without, 'kind': kind}, ensure_ascii=True))
    temp = args.out.with_name(args.out.name + '.tmp')
    temp.write_text('\n'.join(lines) + '\n', encoding='utf-8')
    temp.replace(args.out)
    print(f'{len(lines)} strings -> {args.out} (first_option_postprocess @ {UPSTREAM_COMMIT[:8]}, Python {sys.version.split()[0]})')


if __name__ == '__main__':
    main()
