"""Model backends behind one small protocol: ``template``, ``openai:MODEL@URL``,
``transformers:PATH`` and ``llamacpp:PATH.gguf``; :func:`make_generator` builds one from its spec.
"""

from pathsynth.llm._common import GenerationError, RetryPolicy, messages_to_prompt
from pathsynth.llm.base import Generation, GenerationRequest, TextGenerator
from pathsynth.llm.registry import KINDS, TeacherSpec, make_generator, parse_spec

__all__ = [
    "KINDS",
    "Generation",
    "GenerationError",
    "GenerationRequest",
    "RetryPolicy",
    "TeacherSpec",
    "TextGenerator",
    "make_generator",
    "messages_to_prompt",
    "parse_spec",
]
