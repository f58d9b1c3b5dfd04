"""The `openai` SDK peer for measurement 3: stream one chat completion and write every delta to a file.

    python sdk_stream.py BASE_URL OUT_FILE
"""
import sys

from openai import OpenAI


def main() -> None:
    base_url, out_path = sys.argv[1], sys.argv[2]
    client = OpenAI(base_url=base_url, api_key="loopback", max_retries=0)
    stream = client.chat.completions.create(
        model="m",
        messages=[{"role": "user", "content": "Summarise the incident."}],
        stream=True,
    )
    deltas = 0
    with open(out_path, "w") as out:
        for chunk in stream:
            for choice in chunk.choices:
                text = choice.delta.content
                if text:
                    out.write(text)
                    deltas += 1
    print(deltas, file=sys.stderr)


if __name__ == "__main__":
    main()
