"The registry's rewards inside a real TRL GRPOTrainer step on a tiny model (CPU, seconds)."
import numpy as np

def _tiny_lm(tmp_path):
    from tokenizers import Tokenizer, models, trainers, pre_tokenizers, decoders
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM
    from rrg_nb.data import iu_xray_studies
    texts = [s.report for s in iu_xray_studies()[:400] if s.report] + ["<think>", "</think>", "<report>", "</report>"]
    tok = Tokenizer(models.BPE(unk_token="<unk>")); tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(texts, trainers.BpeTrainer(vocab_size=400, special_tokens=["<pad>", "<eos>", "<unk>", "<think>", "</think>", "<report>", "</report>"],
                                                       initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    t = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="<eos>", unk_token="<unk>")
    cfg = Qwen2Config(vocab_size=len(t), hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                      num_key_value_heads=1, max_position_embeddings=256, pad_token_id=t.pad_token_id, eos_token_id=t.eos_token_id,
                      bos_token_id=t.eos_token_id, tie_word_embeddings=True)
    m = Qwen2ForCausalLM(cfg); m.generation_config.pad_token_id = t.pad_token_id; m.generation_config.eos_token_id = t.eos_token_id
    return m, t

def test_grpo_step_with_registry_rewards(tmp_path):
    import trl  # a required dependency: a broken install fails here rather than skipping
    from datasets import Dataset
    from rrg_nb.rewards import get_reward
    model, tok = _tiny_lm(tmp_path)
    seen = {}
    mccs, fmt = get_reward("mccs", margin=0.0), get_reward("format")
    def spy(completions, ref_report, **kw):  # what TRL hands a reward: completions + dataset columns as keyword lists
        seen.update(n=len(completions), refs=list(ref_report), keys=sorted(kw))
        return mccs(completions=completions, ref_report=ref_report, **kw)
    spy.__name__ = "mccs"
    ds = Dataset.from_dict({"prompt": ["Findings:", "Report:"] * 2,
                            "ref_report": ["Cardiomegaly. Small left pleural effusion.", "No pneumothorax."] * 2})
    cfg = trl.GRPOConfig(output_dir=str(tmp_path / "out"), num_generations=2, per_device_train_batch_size=2, max_completion_length=8,
                         max_steps=1, report_to="none", use_cpu=True, logging_steps=1, save_strategy="no", seed=0,
                         reward_weights=[0.75, 0.25], beta=0.0)
    trainer = trl.GRPOTrainer(model=model, processing_class=tok, reward_funcs=[spy, fmt], args=cfg, train_dataset=ds)
    trainer.train()
    assert seen["n"] == 2 and set(seen["refs"]) <= set(ds["ref_report"])
    assert "completion_ids" in seen["keys"] and "prompts" in seen["keys"]
    logs = {k for h in trainer.state.log_history for k in h}
    assert any(k.startswith("rewards/mccs") for k in logs) and any(k.startswith("rewards/format") for k in logs), logs
